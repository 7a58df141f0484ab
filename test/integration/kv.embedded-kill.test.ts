// kill -9 during a stream of logouts (issue 14, embedded store durability): the real Node entry (`npm start`) on one
// DATA_DIR, logouts streamed by a few concurrent clients, SIGKILL the moment the Nth of them is acknowledged (others
// still in flight), then a restart on the same DATA_DIR. Every acknowledged logout's access token must be refused
// there (the denylist lives only in the embedded store's files), the tokens never logged out must still work (so the
// 401s are the revocations, not a lost key or a lost user), and the server must start every time. Three rounds, each
// killed at a different moment, on the same DATA_DIR: the later ones start over files a kill has already left.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { callAuthgate as call, createAuthgateFleet } from '../support/authgate-fleet';
import { type AuthgateProcess, freePort, QUICK_TEST_SETTINGS, waitUntilHealthy } from '../support/authgate-process';

// Generous ceilings for a loaded machine, not performance claims (bench/startup.ts measures start-up).
const HEALTHY_WITHIN_MS = 120_000;
const SLOW = 480_000;
const PASSWORD = 'violet-harbour-lantern-42';
const EMAIL = 'kill.nine@example.com';
const SESSIONS_PER_ROUND = 40;
const KEPT_PER_ROUND = 4;
const CLIENTS = 4;
/** The acknowledged logout (counted within its round) at which the server is killed. */
const KILL_AT = [1, 11, 29];

const fleet = await createAuthgateFleet('kv-kill');
afterAll(() => fleet.stopAll());

// The same port every time: the tokens' issuer and audience default to APP_URL, http://localhost:PORT.
async function startServer(dataDir: string, port: number): Promise<AuthgateProcess> {
  const server = fleet.start({
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    ...QUICK_TEST_SETTINGS,
    RATE_LIMIT_AUTH: '1000000/60',
    RATE_LIMIT_GLOBAL: '1000000/60',
  });
  await waitUntilHealthy(server, HEALTHY_WITHIN_MS);
  return server;
}

async function loginSessions(server: AuthgateProcess, count: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const loggedIn = await call(server, '/api/v1/auth/login', { method: 'POST', json: { email: EMAIL, password: PASSWORD } });
    expect(loggedIn.status).toBe(200);
    tokens.push(loggedIn.body.data.accessToken as string);
  }
  return tokens;
}

/**
 * Logs `tokens` out with CLIENTS concurrent clients and SIGKILLs the server as the `killAt`-th logout is acknowledged.
 * Returns the tokens whose logout was acknowledged (200) before the connection died.
 */
async function logoutUntilKilled(server: AuthgateProcess, tokens: string[], killAt: number): Promise<string[]> {
  const acknowledged: string[] = [];
  let next = 0;
  const client = async () => {
    while (next < tokens.length && server.running()) {
      const token = tokens[next++]!;
      const status = await fetch(`${server.baseUrl}/api/v1/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })
        .then(async (response) => (await response.arrayBuffer(), response.status))
        .catch(() => null); // the server died with this request in flight: not acknowledged
      if (status === null) return;
      expect(status).toBe(200);
      acknowledged.push(token);
      if (acknowledged.length === killAt) server.signal('SIGKILL');
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  return acknowledged;
}

describe('the embedded store under kill -9', () => {
  it(
    'loses no acknowledged logout, and the server starts again every time',
    async () => {
      const dataDir = join(fleet.root, 'data');
      const port = await freePort();
      let server = await startServer(dataDir, port);
      const registered = await call(server, '/api/v1/auth/register', { method: 'POST', json: { email: EMAIL, password: PASSWORD, name: 'K' } });
      expect(registered.status).toBe(201);
      const revoked: string[] = [];
      const kept: string[] = [];

      for (const killAt of KILL_AT) {
        const tokens = await loginSessions(server, SESSIONS_PER_ROUND);
        kept.push(...tokens.slice(0, KEPT_PER_ROUND));
        const acknowledged = await logoutUntilKilled(server, tokens.slice(KEPT_PER_ROUND), killAt);
        expect(await server.exited).toEqual({ code: null, signal: 'SIGKILL' });
        // Killed mid-stream: at least `killAt` logouts acknowledged, not all of them.
        expect(acknowledged.length).toBeGreaterThanOrEqual(killAt);
        expect(acknowledged.length).toBeLessThan(SESSIONS_PER_ROUND - KEPT_PER_ROUND);
        revoked.push(...acknowledged);

        server = await startServer(dataDir, port);
        const refused = await Promise.all(revoked.map(async (token) => (await call(server, '/api/v1/users/me', { token })).status));
        expect(refused).toEqual(revoked.map(() => 401));
        const served = await Promise.all(kept.map(async (token) => (await call(server, '/api/v1/users/me', { token })).status));
        expect(served).toEqual(kept.map(() => 200));
      }

      server.signal('SIGTERM');
      expect(await server.exited).toEqual({ code: 0, signal: null });
    },
    SLOW,
  );
});
