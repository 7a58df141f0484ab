// The first SUPER_ADMIN from ADMIN_EMAIL / ADMIN_PASSWORD on PostgreSQL: real `npm start` processes starting at once
// and restarting, and the bootstrap statement raced from two connections.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openPostgresDatabase } from '../../src/adapters/db/postgres';
import { createNodePasswordHasher } from '../../src/adapters/password/node';
import { ensureSuperAdmin } from '../../src/core/admin/bootstrap';
import { isCommonPassword } from '../../src/core/common-passwords';
import { type AuthgateProcess, freePort, spawnAuthgate, waitUntilHealthy } from '../support/authgate-process';
import { createFreshDatabase, queryDatabase, type FreshDatabase } from '../support/db-targets';
import { startWatchdog } from '../support/watchdog';

const EMAIL = 'root.admin@example.com';
const PASSWORD = 'granite-orchard-telescope-19';
const CHANGED = 'another-long-passphrase-77';
const HEALTHY_WITHIN_MS = 90_000;
// Every server here shares the test Redis and calls from 127.0.0.1, so the per-IP auth limit would be shared with
// every other suite on that Redis: lift it (rate limits have their own tests).
const cheap = { ARGON2_MEMORY_KIB: '64', ARGON2_ITERATIONS: '1', LOG_LEVEL: 'warn', HOST: '127.0.0.1', RATE_LIMIT_AUTH: '1000/60', RATE_LIMIT_GLOBAL: '10000/60' };

const spawned: AuthgateProcess[] = [];
const watchdogs: { stop: () => Promise<void> }[] = [];
const databases: FreshDatabase[] = [];
let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'authgate-admin-bootstrap-'));
});
afterAll(async () => {
  await Promise.all(spawned.map((server) => server.kill()));
  await Promise.all(watchdogs.map((watchdog) => watchdog.stop()));
  for (const database of databases) await database.drop();
  await rm(root, { recursive: true, force: true });
});

async function start(settings: Record<string, string>): Promise<AuthgateProcess> {
  const server = spawnAuthgate({ ...cheap, PORT: String(await freePort()), DATA_DIR: join(root, crypto.randomUUID()), ...settings });
  spawned.push(server);
  watchdogs.push(startWatchdog([{ kill: server.pid }], root));
  return server;
}

async function stop(server: AuthgateProcess) {
  server.signal('SIGTERM');
  expect(await server.exited).toEqual({ code: 0, signal: null });
}

async function freshDatabase() {
  const database = await createFreshDatabase();
  databases.push(database);
  return database;
}

const query = queryDatabase;

const post = (server: AuthgateProcess, path: string, body: unknown, token?: string) =>
  fetch(`${server.baseUrl}/api/v1${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
const login = (server: AuthgateProcess, password: string) => post(server, '/auth/login', { email: EMAIL, password });

describe('ADMIN_EMAIL on PostgreSQL', () => {
  it('two servers starting at once make one verified SUPER_ADMIN; a restart keeps the password the admin changed since', async () => {
    const database = await freshDatabase();
    const settings = { DATABASE_URL: database.url, REDIS_URL: inject('redisUrl'), ADMIN_EMAIL: EMAIL, ADMIN_PASSWORD: PASSWORD };
    const [a, b] = await Promise.all([start(settings), start(settings)]);
    await Promise.all([waitUntilHealthy(a, HEALTHY_WITHIN_MS), waitUntilHealthy(b, HEALTHY_WITHIN_MS)]);
    const rows = await query(database.url, 'select role, email_verified_at from users where email = $1', [EMAIL]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.role).toBe('SUPER_ADMIN');
    expect(rows[0]!.email_verified_at).not.toBeNull();

    const session = (await (await login(b, PASSWORD)).json()).data;
    const changed = await post(b, '/auth/change-password', { currentPassword: PASSWORD, newPassword: CHANGED }, session.accessToken);
    expect(changed.status).toBe(200);
    await Promise.all([stop(a), stop(b)]);

    const again = await start(settings);
    await waitUntilHealthy(again, HEALTHY_WITHIN_MS);
    expect((await login(again, PASSWORD)).status).toBe(401);
    expect((await login(again, CHANGED)).status).toBe(200);
    expect(await query(database.url, 'select role from users where email = $1', [EMAIL])).toEqual([{ role: 'SUPER_ADMIN' }]);
    await stop(again);
  }, 240_000);

  it('promotes an account that exists, leaving its own password', async () => {
    const database = await freshDatabase();
    const plain = await start({ DATABASE_URL: database.url, REDIS_URL: inject('redisUrl') });
    await waitUntilHealthy(plain, HEALTHY_WITHIN_MS);
    expect((await post(plain, '/auth/register', { email: EMAIL, password: CHANGED })).status).toBe(201);
    await stop(plain);

    const server = await start({ DATABASE_URL: database.url, REDIS_URL: inject('redisUrl'), ADMIN_EMAIL: EMAIL, ADMIN_PASSWORD: PASSWORD });
    await waitUntilHealthy(server, HEALTHY_WITHIN_MS);
    expect((await login(server, PASSWORD)).status).toBe(401);
    const me = (await (await login(server, CHANGED)).json()).data.user;
    expect(me).toMatchObject({ email: EMAIL, role: 'SUPER_ADMIN', emailVerified: true });
    await stop(server);
  }, 240_000);

  it('stops start-up with one line naming ADMIN_PASSWORD when the policy refuses it', async () => {
    const database = await freshDatabase();
    const server = await start({ DATABASE_URL: database.url, REDIS_URL: inject('redisUrl'), ADMIN_EMAIL: EMAIL, ADMIN_PASSWORD: 'password1234' });
    expect((await server.exited).code).toBe(1);
    expect(server.stderr().trimEnd().split('\n')).toEqual(['authgate: setting ADMIN_PASSWORD is invalid: Password is too common']);
  }, 120_000);

  it('run from two connections at once, twenty times over, the statement leaves one SUPER_ADMIN per e-mail and one marker', async () => {
    const database = await freshDatabase();
    const [one, two] = [await openPostgresDatabase(database.url), await openPostgresDatabase(database.url, { migrate: false })];
    try {
      const passwords = createNodePasswordHasher({ memoryKib: 64, iterations: 1, parallelism: 1 });
      const deps = (db: typeof one) => ({ db, passwords, clock: { nowMs: () => Date.now() } });
      for (let round = 0; round < 20; round++) {
        const admin = { email: `root.${round}@example.com`, password: PASSWORD };
        const outcomes = await Promise.all([one, two].map((db) => ensureSuperAdmin(deps(db), { isCommonPassword }, admin)));
        // One creates; the other either promotes the row it lost the race for, or finds the marker already there.
        const [created, other] = outcomes.sort((x, y) => (x === 'created' ? -1 : y === 'created' ? 1 : 0));
        expect(created).toBe('created');
        expect(['promoted', 'already-applied']).toContain(other);
        expect(await ensureSuperAdmin(deps(one), { isCommonPassword }, admin)).toBe('already-applied');
      }
      expect(await query(database.url, "select count(*)::int as n from users where role = 'SUPER_ADMIN'")).toEqual([{ n: 20 }]);
      expect(await query(database.url, "select value from instance_secrets where name = 'admin_bootstrap_email'")).toEqual([{ value: 'root.19@example.com' }]);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });
});
