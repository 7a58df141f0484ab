// `npm start` runs the server from a bundle of src/ that scripts/start.mjs builds with esbuild and caches: built on the
// first start, reused while the inputs are unchanged, rebuilt when one changes, shared safely by starts that race,
// and where no bundle can be written the sources run through tsx after one line saying so. These tests have cache
// folders of their own (AUTHGATE_START_CACHE), so the one `npm start` uses is never touched; like it, they are under
// node_modules/, where the bundle finds the one package it does not contain (PGlite).
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { callAuthgate as call, createAuthgateFleet } from '../support/authgate-fleet';
import { type AuthgateProcess, freePort, QUICK_TEST_SETTINGS, repoRoot, waitUntilHealthy } from '../support/authgate-process';

const HEALTHY_WITHIN_MS = 90_000;
const PASSWORD = 'violet-harbour-lantern-42';
const BUILDING = 'authgate: building the server from src/';

const fleet = await createAuthgateFleet('npm-start-bundle');
const caches = join(repoRoot, 'node_modules/.cache', `authgate-test-${process.pid}-${Date.now()}`);
mkdirSync(caches, { recursive: true });
afterAll(async () => {
  await fleet.stopAll();
  rmSync(caches, { recursive: true, force: true });
});

async function startServer(cache: string, name: string): Promise<AuthgateProcess> {
  const port = await freePort();
  const server = fleet.start({
    AUTHGATE_START_CACHE: cache,
    DATA_DIR: join(fleet.root, name),
    PORT: String(port),
    HOST: '127.0.0.1',
    ...QUICK_TEST_SETTINGS,
  });
  await waitUntilHealthy(server, HEALTHY_WITHIN_MS);
  return server;
}

async function serves(server: AuthgateProcess, email: string): Promise<void> {
  expect((await call(server, '/api/v1/auth/register', { method: 'POST', json: { email, password: PASSWORD, name: 'Grace' } })).status).toBe(201);
  const loggedIn = await call(server, '/api/v1/auth/login', { method: 'POST', json: { email, password: PASSWORD } });
  expect(loggedIn.status).toBe(200);
  expect((await call(server, '/api/v1/users/me', { token: loggedIn.body.data.accessToken })).body.data.user.email).toBe(email);
}

async function stop(server: AuthgateProcess): Promise<void> {
  server.signal('SIGTERM');
  expect(await server.exited).toEqual({ code: 0, signal: null });
}

// The embedded database's template (npm-start-template.test.ts) lives in the same folder.
const bundles = (cache: string) => readdirSync(cache).filter((name) => !name.startsWith('pglite-template-')).sort();

describe('npm start from a cached bundle', () => {
  const cache = join(caches, 'cache');

  it('builds the bundle on the first start, serves from it, and reuses it on the next start', async () => {
    const first = await startServer(cache, 'first');
    expect(first.stdout()).toContain(BUILDING);
    expect(first.stdout()).toMatch(/authgate: built in \d+\.\d s/);
    const [bundle, ...others] = bundles(cache);
    expect(others).toEqual([]);
    expect(existsSync(join(cache, bundle!, 'server.mjs'))).toBe(true);
    // The Argon2 worker thread's file travels with the bundle (Node 20 and 22 hash there).
    expect(existsSync(join(cache, bundle!, 'argon2-worker.mjs'))).toBe(true);
    // The migrations are found from the bundle's folder: a fresh DATA_DIR is migrated and serves sign-ups.
    await serves(first, 'grace.first@example.com');
    await stop(first);
    expect(first.stderr()).toBe('');

    const second = await startServer(cache, 'second');
    expect(second.stdout()).not.toContain(BUILDING);
    expect(bundles(cache)).toEqual([bundle]);
    await serves(second, 'grace.second@example.com');
    await stop(second);
  });

  it('builds a new bundle when a source file changes', async () => {
    const [before] = bundles(cache);
    // A changed modification time is a changed input (the content stays as it is; put back afterwards).
    const source = join(repoRoot, 'src/runtime/node.ts');
    const { atime, mtime } = statSync(source);
    utimesSync(source, atime, new Date(mtime.getTime() + 1000));
    let server: AuthgateProcess | undefined;
    try {
      server = await startServer(cache, 'changed');
    } finally {
      utimesSync(source, atime, mtime);
    }
    expect(server.stdout()).toContain(BUILDING);
    const after = bundles(cache);
    expect(after).toHaveLength(2);
    expect(after).toContain(before);
    await stop(server);
  });

  it('lets starts that race for an empty cache both come up, leaving one bundle and no scratch folder', async () => {
    const shared = join(caches, 'race-cache');
    const [a, b] = await Promise.all([startServer(shared, 'race-a'), startServer(shared, 'race-b')]);
    await Promise.all([serves(a, 'grace.a@example.com'), serves(b, 'grace.b@example.com')]);
    const left = bundles(shared);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/^start-[0-9a-f]+$/);
    // Both made the database template too (each in a scratch folder of its own): one is kept, no scratch is left.
    expect(readdirSync(shared).filter((name) => name.startsWith('pglite-template-'))).toEqual([expect.stringMatching(/^pglite-template-[0-9a-f]{16}$/)]);
    await Promise.all([stop(a), stop(b)]);
  });

  it('runs the sources through tsx, after one line on stderr, where the cache cannot be written', async () => {
    // A file where the cache folder should be: nothing can be created under it.
    const blocked = join(caches, 'not-a-folder');
    writeFileSync(blocked, '');
    const server = await startServer(join(blocked, 'cache'), 'fallback');
    expect(server.stdout()).not.toContain('authgate: built in');
    expect(server.stderr().trimEnd().split('\n')).toEqual([expect.stringMatching(/^authgate: no bundle under .*not-a-folder\/cache \(.*\); running the sources through tsx$/)]);
    // Nor a database template there: the database is created in place, after one line saying so.
    expect(server.stdout()).toMatch(/^authgate: no database template \(.*\); creating the database in place$/m);
    await serves(server, 'grace.fallback@example.com');
    await stop(server);
  });
});
