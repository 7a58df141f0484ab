// Several instances on one PostgreSQL and one Redis, the way users outgrow one machine on Node: two real `npm start`
// processes with the same keys behind an imaginary load balancer, the requests alternating between them.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrationsFolder, runPostgresMigrations } from '../../src/adapters/db/migrate';
import { createAuthgateFleet } from '../support/authgate-fleet';
import { type AuthgateProcess, freePort, waitUntilHealthy } from '../support/authgate-process';
import { createFreshDatabase, queryDatabase, type FreshDatabase } from '../support/db-targets';

const PASSWORD = 'violet-harbour-lantern-42';
const ADMIN_EMAIL = 'root.fleet@example.com';
const ADMIN_PASSWORD = 'granite-orchard-telescope-19';
const HEALTHY_WITHIN_MS = 90_000;
// The bar: 20 concurrent refreshes of one token, split across the two instances, 500 times over.
const ROUNDS = 500;
const PER_ROUND = 20;
// Plus the pair of the first describe, which also starts at once on an empty database.
const START_RACES = 2;
const MIGRATORS = 4;
const MIGRATION_RACES = 5;

const fleet = await createAuthgateFleet('two-instances');
const databases: FreshDatabase[] = [];
afterAll(async () => {
  await fleet.stopAll();
  for (const database of databases) await database.drop();
});

// The requests come through a trusted loopback proxy that names the client in X-Forwarded-For, so each scenario has
// its own rate-limit buckets (the test Redis is shared with other suites, and so is 127.0.0.1).
const ipBase = `198.18.${Math.floor(Math.random() * 250) + 1}`;
let ipCounter = 0;
const nextIp = () => `${ipBase}.${(ipCounter = (ipCounter % 250) + 1)}`;

// What every instance of a deployment shares: the stores, the public URL (the default issuer) and the keys.
function sharedSettings(database: FreshDatabase): Record<string, string> {
  return {
    APP_URL: 'https://auth.example.com',
    DATABASE_URL: database.url,
    REDIS_URL: inject('redisUrl'),
    JWT_PRIVATE_KEY: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    MFA_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    ADMIN_MFA_REQUIRED: 'false',
    HOST: '127.0.0.1',
    TRUST_PROXY: 'loopback',
    LOG_LEVEL: 'warn',
    MAIL_TRANSPORT: 'dev',
    // Cheap hashing: the logins here are set-up, not what is measured.
    ARGON2_MEMORY_KIB: '64',
    ARGON2_ITERATIONS: '1',
    RATE_LIMIT_AUTH: '5/60',
    RATE_LIMIT_GLOBAL: '1000000/60',
  };
}

async function freshDatabase(): Promise<FreshDatabase> {
  const database = await createFreshDatabase();
  databases.push(database);
  return database;
}

/** Two instances started at the same moment on `database`, both answering /health. */
async function startPair(database: FreshDatabase, settings = sharedSettings(database)): Promise<[AuthgateProcess, AuthgateProcess]> {
  const ports = await Promise.all([freePort(), freePort()]);
  const pair = ports.map((port, i) => fleet.start({ ...settings, PORT: String(port), DATA_DIR: join(fleet.root, `${database.name}-${i}`) })) as [
    AuthgateProcess,
    AuthgateProcess,
  ];
  await Promise.all(pair.map((server) => waitUntilHealthy(server, HEALTHY_WITHIN_MS)));
  return pair;
}

async function stopPair(pair: readonly AuthgateProcess[]) {
  for (const server of pair) server.signal('SIGTERM');
  expect(await Promise.all(pair.map((server) => server.exited))).toEqual(pair.map(() => ({ code: 0, signal: null })));
}

const query = queryDatabase;

interface Answer {
  status: number;
  body: any;
}

async function call(server: AuthgateProcess, path: string, init: { method?: string; json?: unknown; token?: string; ip?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = { 'x-forwarded-for': init.ip ?? nextIp() };
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const response = await fetch(`${server.baseUrl}/api/v1${path}`, {
    method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
    headers,
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

const register = (server: AuthgateProcess, email: string) => call(server, '/auth/register', { json: { email, password: PASSWORD } });
const login = (server: AuthgateProcess, email: string, password = PASSWORD, ip?: string) =>
  call(server, '/auth/login', { json: { email, password }, ...(ip ? { ip } : {}) });
const refresh = (server: AuthgateProcess, refreshToken: string, ip?: string) => call(server, '/auth/refresh', { json: { refreshToken }, ...(ip ? { ip } : {}) });
const me = (server: AuthgateProcess, token: string) => call(server, '/users/me', { token });

describe('two instances on one PostgreSQL and one Redis', () => {
  let database: FreshDatabase;
  let a: AuthgateProcess;
  let b: AuthgateProcess;
  beforeAll(async () => {
    // An empty database: the two migrate at once as they start.
    database = await freshDatabase();
    [a, b] = await startPair(database);
  }, 120_000);

  it('share users, logins and logouts at once: registered on A, logged in on B, logged out on A, refused on B', async () => {
    const email = 'ada.fleet@example.com';
    expect((await register(a, email)).status).toBe(201);
    const onB = await login(b, email);
    expect(onB.status).toBe(200);
    const { accessToken, refreshToken } = onB.body.data;
    expect((await me(a, accessToken)).status).toBe(200);
    expect((await call(a, '/auth/logout', { method: 'POST', token: accessToken })).status).toBe(200);
    // No wait: the very next request, on the other instance.
    expect((await me(b, accessToken)).status).toBe(401);
    expect((await refresh(b, refreshToken)).status).toBe(401);
    expect((await me(a, accessToken)).status).toBe(401);
  });

  it('an admin lock on one instance and a delete on the other are refused by the other at once', async () => {
    const admin = await login(a, ADMIN_EMAIL, ADMIN_PASSWORD);
    expect(admin.status).toBe(200);
    const adminToken = admin.body.data.accessToken as string;

    const locked = (await register(b, 'locked.fleet@example.com')).body.data;
    const lock = await call(a, `/admin/users/${locked.user.id}`, { method: 'PATCH', json: { locked: true }, token: adminToken });
    expect(lock.status).toBe(200);
    expect((await me(b, locked.accessToken)).status).toBe(401);
    expect((await refresh(b, locked.refreshToken)).status).toBe(401);
    expect((await login(b, 'locked.fleet@example.com')).status).not.toBe(200);

    const deleted = (await register(a, 'deleted.fleet@example.com')).body.data;
    const remove = await call(b, `/admin/users/${deleted.user.id}`, { method: 'PATCH', json: { deleted: true }, token: adminToken });
    expect(remove.status).toBe(200);
    expect((await me(a, deleted.accessToken)).status).toBe(401);
    expect((await refresh(a, deleted.refreshToken)).status).toBe(401);
    expect((await login(a, 'deleted.fleet@example.com')).status).toBe(401);
  });

  it('counts a rate limit across both: 3 logins on A and 3 on B from one client, the 6th is 429', async () => {
    const email = 'rate.fleet@example.com';
    expect((await register(a, email)).status).toBe(201);
    const ip = nextIp();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await login(i % 2 === 0 ? a : b, email, PASSWORD, ip)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    // Either instance refuses the client now.
    expect((await login(a, email, PASSWORD, ip)).status).toBe(429);
  });

  it(`${PER_ROUND} concurrent refreshes of one token split across both, ${ROUNDS} times: one rotation each, the session never killed`, async () => {
    const { refreshToken, accessToken } = (await register(a, 'split.fleet@example.com')).body.data;
    const sessionId = JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString()).sid as string;
    const ip = nextIp();
    let current = refreshToken as string;
    let doubleRotations = 0;
    let refused = 0;
    const served = { a: 0, b: 0 };
    const started = performance.now();
    for (let round = 0; round < ROUNDS; round++) {
      const answers = await Promise.all(Array.from({ length: PER_ROUND }, (_, i) => refresh(i % 2 === 0 ? a : b, current, ip)));
      const ok = answers.filter((answer) => answer.status === 200);
      refused += answers.length - ok.length;
      answers.forEach((answer, i) => answer.status === 200 && (i % 2 === 0 ? served.a++ : served.b++));
      // API.md's grace rule: every concurrent replay of the parent gets the same child, so there is one successor.
      const successors = new Set(ok.map((answer) => answer.body.data.refreshToken as string));
      if (successors.size !== 1) doubleRotations++;
      if (ok.length === 0) throw new Error(`round ${round}: no refresh succeeded: ${JSON.stringify(answers.map((x) => x.status))}`);
      current = [...successors][0]!;
    }
    const seconds = (performance.now() - started) / 1000;
    console.info(
      `${ROUNDS * PER_ROUND} split refreshes in ${seconds.toFixed(1)} s (A answered ${served.a}, B ${served.b}): ` +
        `${doubleRotations} double rotations, ${refused} refused`,
    );
    expect(doubleRotations).toBe(0);
    expect(refused).toBe(0);
    // The session lives: the last successor rotates on either instance and its access token works on both.
    const last = await refresh(b, current, ip);
    expect(last.status).toBe(200);
    for (const server of [a, b]) expect((await me(server, last.body.data.accessToken)).status).toBe(200);
    // In the database: one child per parent, a chain of exactly one token per rotation.
    expect(await query(database.url, 'select count(*)::int as n from refresh_tokens where session_id = $1', [sessionId])).toEqual([{ n: ROUNDS + 2 }]);
    expect(
      await query(database.url, 'select parent_id from refresh_tokens where session_id = $1 and parent_id is not null group by parent_id having count(*) > 1', [sessionId]),
    ).toEqual([]);
    expect(await query(database.url, 'select revoked_at from sessions where id = $1', [sessionId])).toEqual([{ revoked_at: null }]);
  }, 180_000);

  it('the pair that started at once on the empty database migrated it once and made one SUPER_ADMIN', async () => {
    await expectMigratedOnceWithOneAdmin(database);
  });
});

async function expectMigratedOnceWithOneAdmin(database: FreshDatabase) {
  const journal = readMigrationFiles({ migrationsFolder });
  expect(await query(database.url, 'select count(*)::int as n, count(distinct hash)::int as distinct_hashes from drizzle.__drizzle_migrations')).toEqual([
    { n: journal.length, distinct_hashes: journal.length },
  ]);
  expect(await query(database.url, "select email, role, email_verified_at is not null as verified from users where role = 'SUPER_ADMIN'")).toEqual([
    { email: ADMIN_EMAIL, role: 'SUPER_ADMIN', verified: true },
  ]);
  expect(await query(database.url, "select value from instance_secrets where name = 'admin_bootstrap_email'")).toEqual([{ value: ADMIN_EMAIL }]);
}

describe('two instances starting at once on an empty database', () => {
  it(`both migrate safely and bootstrap the SUPER_ADMIN once (${START_RACES} fresh databases)`, async () => {
    for (let race = 0; race < START_RACES; race++) {
      const database = await freshDatabase();
      const pair = await startPair(database);
      for (const server of pair) expect(server.stderr()).toBe('');
      await expectMigratedOnceWithOneAdmin(database);
      // Both serve the one admin.
      for (const server of pair) expect((await login(server, ADMIN_EMAIL, ADMIN_PASSWORD)).status).toBe(200);
      await stopPair(pair);
    }
  }, 300_000);

  // Processes rarely reach the migrator in the same millisecond (each spends seconds loading first), so the lock is
  // also raced directly: the migrator from several connections at once on empty databases.
  it(`the migrator run from ${MIGRATORS} connections at once applies each migration once (${MIGRATION_RACES} empty databases)`, async () => {
    const journal = readMigrationFiles({ migrationsFolder });
    for (let race = 0; race < MIGRATION_RACES; race++) {
      const database = await freshDatabase();
      const pools = Array.from({ length: MIGRATORS }, () => new pg.Pool({ connectionString: database.url, max: 1 }));
      try {
        const results = await Promise.allSettled(pools.map((pool) => runPostgresMigrations(pool)));
        expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
        const applied = results.map((result) => (result.status === 'fulfilled' ? result.value.applied : 0));
        expect(applied.reduce((sum, n) => sum + n, 0)).toBe(journal.length);
      } finally {
        await Promise.all(pools.map((pool) => pool.end()));
      }
      expect(await query(database.url, 'select count(*)::int as n from drizzle.__drizzle_migrations')).toEqual([{ n: journal.length }]);
    }
  });
});
