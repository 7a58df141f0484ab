// A new DATA_DIR's database is a copy of a migrated template (src/adapters/db/pglite-template.ts) kept beside
// `npm start`'s bundle: made by `npm install`'s prepare script (scripts/prepare.mjs), or by the first start that
// needs it, and then copied, never used in place. These tests keep cache folders of their own (AUTHGATE_START_CACHE)
// under node_modules/, as npm-start-bundle.test.ts does.
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrationsFolder } from '../../src/adapters/db/migrate';
import { templateName } from '../../src/adapters/db/pglite-template';
import { callAuthgate as call, createAuthgateFleet } from '../support/authgate-fleet';
import { type AuthgateProcess, freePort, QUICK_TEST_SETTINGS, repoRoot, spawnNode, waitUntilHealthy } from '../support/authgate-process';

const HEALTHY_WITHIN_MS = 90_000;
const PASSWORD = 'violet-harbour-lantern-42';
const MAKING = "authgate: making the embedded database's template";
const BUILDING = 'authgate: building the server from src/';

const fleet = await createAuthgateFleet('npm-start-template');
const caches = join(repoRoot, 'node_modules/.cache', `authgate-template-test-${process.pid}-${Date.now()}`);
mkdirSync(caches, { recursive: true });
afterAll(async () => {
  await fleet.stopAll();
  rmSync(caches, { recursive: true, force: true });
});

async function startServer(cache: string, dataDir: string): Promise<AuthgateProcess> {
  const server = fleet.start({
    AUTHGATE_START_CACHE: cache,
    DATA_DIR: join(fleet.root, dataDir),
    PORT: String(await freePort()),
    HOST: '127.0.0.1',
    ...QUICK_TEST_SETTINGS,
  });
  await waitUntilHealthy(server, HEALTHY_WITHIN_MS);
  return server;
}

async function stop(server: AuthgateProcess): Promise<void> {
  server.signal('SIGTERM');
  expect(await server.exited).toEqual({ code: 0, signal: null });
}

const register = (server: AuthgateProcess, email: string) =>
  call(server, '/api/v1/auth/register', { method: 'POST', json: { email, password: PASSWORD, name: 'Ada' } });
const login = (server: AuthgateProcess, email: string) => call(server, '/api/v1/auth/login', { method: 'POST', json: { email, password: PASSWORD } });
const templates = (cache: string) => readdirSync(cache).filter((name) => name.startsWith('pglite-template-'));
// The prepare script's cache folder (its tests run first); the lazy test below takes its bundle from there.
const prepared = join(caches, 'prepared');

describe("npm install's prepare script", () => {
  const prepare = async (settings: Record<string, string>) => {
    const run = spawnNode(['scripts/prepare.mjs'], settings);
    expect(await run.exited).toEqual({ code: 0, signal: null });
    return run;
  };

  it('makes the bundle and the template, then nothing while they are current; the next start makes neither', async () => {
    const cache = prepared;
    const first = await prepare({ AUTHGATE_START_CACHE: cache });
    expect(first.stdout()).toContain(BUILDING);
    expect(first.stdout()).toContain("authgate: making the embedded database's template (new DATA_DIRs are copied from it)");
    expect(first.stdout()).toMatch(/^authgate: template made in \d+\.\d s$/m);
    expect(first.stderr()).toBe('');
    expect(templates(cache)).toEqual([templateName()]);

    const second = await prepare({ AUTHGATE_START_CACHE: cache });
    expect(second.stdout()).toBe('');

    const server = await startServer(cache, 'after-prepare');
    expect(server.stdout()).not.toContain(BUILDING);
    expect(server.stdout()).not.toContain(MAKING);
    expect((await register(server, 'grace@example.com')).status).toBe(201);
    expect((await login(server, 'grace@example.com')).status).toBe(200);
    await stop(server);
  });

  it('makes nothing with AUTHGATE_SKIP_PREPARE=1, and never fails an install', async () => {
    const skipped = join(caches, 'skipped');
    const run = await prepare({ AUTHGATE_START_CACHE: skipped, AUTHGATE_SKIP_PREPARE: '1' });
    expect(run.stdout()).toBe('');
    expect(existsSync(skipped)).toBe(false);

    // Where nothing can be written, one line says so and the install goes on (exit 0, asserted by prepare()).
    const blocked = join(caches, 'not-a-folder');
    writeFileSync(blocked, '');
    const failed = await prepare({ AUTHGATE_START_CACHE: join(blocked, 'cache') });
    expect(`${failed.stdout()}${failed.stderr()}`).toMatch(/authgate: no bundle under .*not-a-folder\/cache \(.*\); `npm start` will run the sources through tsx/);
  });
});

describe('a new DATA_DIR copied from the database template', () => {
  const cache = join(caches, 'lazy');

  it('makes the template on the first fresh start, copies it on the next, and each DATA_DIR keeps its own rows', async () => {
    // The prepare test's bundle, not its template: this start makes the template itself (and builds nothing, which
    // spares the two cores a build while other suites run).
    for (const name of readdirSync(prepared).filter((entry) => entry.startsWith('start-'))) cpSync(join(prepared, name), join(cache, name), { recursive: true });
    expect(templates(cache)).toEqual([]);
    const first = await startServer(cache, 'first');
    expect(first.stdout()).toContain(MAKING);
    expect(templates(cache)).toEqual([templateName()]);
    expect(existsSync(join(cache, templateName(), 'PG_VERSION'))).toBe(true);
    expect((await register(first, 'ada@example.com')).status).toBe(201);
    await stop(first);

    const second = await startServer(cache, 'second');
    expect(second.stdout()).not.toContain(MAKING);
    // The copy holds the schema and no rows: the first DATA_DIR's account is not here, and can be registered anew.
    expect((await login(second, 'ada@example.com')).status).toBe(401);
    expect((await register(second, 'ada@example.com')).status).toBe(201);
    await stop(second);

    // The template was copied, not used: a third DATA_DIR is as empty as the second was. A copy cut short there
    // before (a kill during it) left its scratch folder and no database: the start copies again and removes it.
    mkdirSync(join(fleet.root, 'third', 'pglite.tmp-999999-0badc0de', 'base'), { recursive: true });
    const third = await startServer(cache, 'third');
    expect(readdirSync(join(fleet.root, 'third')).filter((name) => name.startsWith('pglite'))).toEqual(['pglite']);
    expect((await login(third, 'ada@example.com')).status).toBe(401);
    await stop(third);

    // The database's files are the owner's alone: PGlite writes them readable and writable by everyone (0666), the
    // folder holding them is 0700, and so is a DATA_DIR the server created.
    const mode = (path: string) => statSync(path).mode & 0o777;
    expect(mode(join(fleet.root, 'second', 'pglite'))).toBe(0o700);
    expect(mode(join(fleet.root, 'second'))).toBe(0o700);

    // An existing DATA_DIR is opened, never replaced by a copy; a database folder left open to others is closed.
    chmodSync(join(fleet.root, 'first', 'pglite'), 0o755);
    const again = await startServer(cache, 'first');
    expect((await login(again, 'ada@example.com')).status).toBe(200);
    await stop(again);
    expect(mode(join(fleet.root, 'first', 'pglite'))).toBe(0o700);
    expect(readdirSync(join(fleet.root, 'first'))).toEqual(expect.arrayContaining(['pglite']));
    expect(readdirSync(fleet.root).filter((name) => name.includes('.tmp-'))).toEqual([]);
    expect(readdirSync(join(fleet.root, 'first')).filter((name) => name.includes('.tmp-'))).toEqual([]);
  });

  it('names a template after the migrations it holds: a changed migration gets a template of its own', () => {
    const copy = join(caches, 'migrations');
    cpSync(migrationsFolder, copy, { recursive: true });
    expect(templateName(copy)).toBe(templateName());
    const sql = readdirSync(copy).filter((name) => name.endsWith('.sql')).sort().at(-1)!;
    writeFileSync(join(copy, sql), `${readFileSync(join(copy, sql), 'utf8')}\n-- changed\n`);
    expect(templateName(copy)).not.toBe(templateName());
  });
});
