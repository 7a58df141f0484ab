// `npm start` on the older Node LTS a newcomer may have (20 or 22: the machine's /usr/bin/node), where there is no
// node:crypto.argon2 and passwords hash with hash-wasm in worker threads; then the same DATA_DIR on this Node.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { callAuthgate as call, createAuthgateFleet } from '../support/authgate-fleet';
import { type AuthgateProcess, freePort, waitUntilHealthy } from '../support/authgate-process';

const OLDER_NODE = '/usr/bin/node';
const HEALTHY_WITHIN_MS = 60_000;
const EMAIL = 'katherine.johnson@example.com';
const PASSWORD = 'violet-harbour-lantern-42';

function olderNodeVersion(): { version: string } | { reason: string } {
  if (!existsSync(OLDER_NODE)) return { reason: `${OLDER_NODE} is missing` };
  const version = execFileSync(OLDER_NODE, ['--version'], { encoding: 'utf8' }).trim();
  return /^v(20|22)\./.test(version) ? { version } : { reason: `${OLDER_NODE} is ${version}, not Node 20 or 22` };
}

const older = olderNodeVersion();
// CI's machine has Debian's Node 20, so there the test must run; elsewhere it says why it did not.
if ('reason' in older && process.env.CI !== 'true') console.warn(`node-older-lts: skipped because ${older.reason}`);
const skip = 'reason' in older && process.env.CI !== 'true';

const fleet = await createAuthgateFleet('node-older-lts');
afterAll(() => fleet.stopAll());

describe.skipIf(skip)(`npm start on ${'version' in older ? older.version : 'an older Node LTS'}`, () => {
  let settings: Record<string, string>;

  it('serves /health, register and login, hashing passwords in worker threads', async () => {
    if ('reason' in older) throw new Error(`CI=true but ${older.reason}`);
    settings = { DATA_DIR: join(fleet.root, 'data'), PORT: String(await freePort()), HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
    const server = fleet.start(settings, { node: OLDER_NODE });
    await waitUntilHealthy(server, HEALTHY_WITHIN_MS);
    expect(server.stdout()).toContain('passwords: hash-wasm in low-priority worker threads');

    expect((await call(server, '/health')).status).toBe(200);
    const registered = await call(server, '/api/v1/auth/register', { method: 'POST', json: { email: EMAIL, password: PASSWORD } });
    expect(registered.status).toBe(201);
    const loggedIn = await call(server, '/api/v1/auth/login', { method: 'POST', json: { email: EMAIL, password: PASSWORD } });
    expect(loggedIn.status).toBe(200);
    expect(loggedIn.body.data.accessToken).toEqual(expect.any(String));
    expect((await call(server, '/api/v1/auth/login', { method: 'POST', json: { email: EMAIL, password: `${PASSWORD}!` } })).status).toBe(401);

    await stop(server);
  });

  it('keeps those hashes valid when the same DATA_DIR runs on Node 24 with node:crypto.argon2', async () => {
    const server = fleet.start(settings);
    await waitUntilHealthy(server, HEALTHY_WITHIN_MS);
    expect(server.stdout()).toContain('passwords: node:crypto.argon2');
    expect((await call(server, '/api/v1/auth/login', { method: 'POST', json: { email: EMAIL, password: PASSWORD } })).status).toBe(200);
    await stop(server);
  });
});

async function stop(server: AuthgateProcess) {
  server.signal('SIGTERM');
  expect(await server.exited).toEqual({ code: 0, signal: null });
  expect(server.stderr()).toBe('');
}
