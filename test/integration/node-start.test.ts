// `npm start` end to end: the real Node entry in a child process, on an empty DATA_DIR, then restarted on it.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { callAuthgate as call, createAuthgateFleet } from '../support/authgate-fleet';
import { type AuthgateProcess, freePort, waitUntilHealthy } from '../support/authgate-process';

// A generous ceiling, not a performance claim: start-up time is measured by bench/login-event-loop.ts (README figures).
const HEALTHY_WITHIN_MS = 60_000;
const PASSWORD = 'violet-harbour-lantern-42';
const EMAIL = 'ada.lovelace@example.com';

const fleet = await createAuthgateFleet('node-start');
const root = fleet.root;
const start = (settings: Record<string, string>) => fleet.start(settings);
afterAll(() => fleet.stopAll());

const jwksKids = async (server: AuthgateProcess) =>
  ((await call(server, '/.well-known/jwks.json')).body.keys as { kid: string }[]).map((key) => key.kid);

describe('npm start in embedded mode', () => {
  const dataDir = join(root, 'data');
  let settings: Record<string, string>;
  let first: AuthgateProcess;
  const before = { accessToken: '', loggedOutToken: '', kids: [] as string[] };

  it('starts on an empty DATA_DIR, names its URL and stores, and serves register → login → /users/me', async () => {
    const port = await freePort();
    settings = { DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ARGON2_MEMORY_KIB: '64', ARGON2_ITERATIONS: '1' };
    first = start(settings);
    const tookMs = await waitUntilHealthy(first, HEALTHY_WITHIN_MS);
    console.info(`first start on an empty DATA_DIR: /health answered after ${tookMs} ms`);

    expect(first.stdout()).toContain(`listening on http://127.0.0.1:${port}`);
    expect(first.stdout()).toMatch(/database: pglite \(.*data\/pglite\)/);
    expect(first.stdout()).toMatch(/key-value: embedded \(.*data\/kv\.json\)/);

    const registered = await call(first, '/api/v1/auth/register', { method: 'POST', json: { email: EMAIL, password: PASSWORD, name: 'Ada' } });
    expect(registered.status).toBe(201);
    expect(registered.body.data.user).toMatchObject({ email: EMAIL, name: 'Ada' });

    const loggedIn = await call(first, '/api/v1/auth/login', { method: 'POST', json: { email: EMAIL, password: PASSWORD } });
    expect(loggedIn.status).toBe(200);
    before.accessToken = loggedIn.body.data.accessToken;
    const me = await call(first, '/api/v1/users/me', { token: before.accessToken });
    expect(me.status).toBe(200);
    expect(me.body.data.user).toMatchObject({ id: registered.body.data.user.id, email: EMAIL });

    // A second session, logged out: its access token is denied from now on.
    const other = await call(first, '/api/v1/auth/login', { method: 'POST', json: { email: EMAIL, password: PASSWORD } });
    before.loggedOutToken = other.body.data.accessToken;
    expect((await call(first, '/api/v1/auth/logout', { method: 'POST', token: before.loggedOutToken })).status).toBe(200);
    expect((await call(first, '/api/v1/users/me', { token: before.loggedOutToken })).status).toBe(401);

    before.kids = await jwksKids(first);
    expect(before.kids).toHaveLength(1);
  });

  it('stops on SIGTERM with exit code 0', async () => {
    first.signal('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(first.stdout()).toContain('authgate: stopped');
    expect(first.stderr()).toBe('');
  });

  it('after a restart on the same DATA_DIR: the user logs in, earlier tokens verify with the same key, a logged-out token stays revoked', async () => {
    const second = start(settings);
    const tookMs = await waitUntilHealthy(second, HEALTHY_WITHIN_MS);
    console.info(`restart on the same DATA_DIR: /health answered after ${tookMs} ms`);

    expect((await call(second, '/api/v1/auth/login', { method: 'POST', json: { email: EMAIL, password: PASSWORD } })).status).toBe(200);
    const me = await call(second, '/api/v1/users/me', { token: before.accessToken });
    expect(me.status).toBe(200);
    expect(me.body.data.user.email).toBe(EMAIL);
    expect(await jwksKids(second)).toEqual(before.kids);
    // The denylist lives in the embedded key-value store, kept in DATA_DIR/kv.json.
    expect((await call(second, '/api/v1/users/me', { token: before.loggedOutToken })).status).toBe(401);

    second.signal('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
  });

  it('starts with an OpenID provider that cannot be reached: logged as unavailable, 503 at its sign-in, the rest serves', async () => {
    const unreachable = `http://127.0.0.1:${await freePort()}`;
    const server = start({ ...settings, OIDC_PROVIDERS: 'down', OIDC_DOWN_ISSUER: unreachable, OIDC_DOWN_CLIENT_ID: 'c', OIDC_DOWN_CLIENT_SECRET: 'not-logged' });
    await waitUntilHealthy(server, HEALTHY_WITHIN_MS);
    await expect.poll(() => server.stdout(), { timeout: 20_000 }).toMatch(/"msg":"OIDC provider unavailable: discovery failed","provider":"down"/);
    expect((await call(server, '/api/v1/oauth/down')).status).toBe(503);
    expect((await call(server, '/api/v1/oauth/providers')).body.data.providers).toEqual([{ id: 'down', name: 'down', type: 'oidc' }]);
    expect((await call(server, '/api/v1/auth/login', { method: 'POST', json: { email: EMAIL, password: PASSWORD } })).status).toBe(200);
    expect(server.stdout()).not.toContain('not-logged');
    server.signal('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });

  it.each([
    ['RATE_LIMIT_AUTH', 'abc'],
    ['PORT', '99999'],
    ['APP_URL', 'localhost:3999'],
    // Nothing listens on port 1; the line names the setting and where it points, but not the password.
    ['DATABASE_URL', 'postgres://app:s3cret-pw@127.0.0.1:1/app'],
  ])('exits non-zero with one stderr line naming %s when it is %s', async (name, value) => {
    const server = start({ DATA_DIR: join(root, 'never-used'), PORT: '3000', HOST: '127.0.0.1', [name]: value });
    const status = await server.exited;
    expect(status.code).not.toBe(0);
    expect(status.code).not.toBeNull();
    const lines = server.stderr().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(name);
    expect(lines[0]).not.toContain('s3cret-pw');
    expect(lines[0]).not.toMatch(/\bat .*:\d+:\d+/);
  });
});
