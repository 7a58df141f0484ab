// `npm run admin -- <command>` end to end, in a child process: on the embedded stores of a DATA_DIR (PGlite and
// kv.json) and on PostgreSQL + Redis, as an operator runs it.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { openPgliteDatabase } from '../../src/adapters/db/pglite';
import { openPostgresDatabase } from '../../src/adapters/db/postgres';
import { createNodePasswordHasher } from '../../src/adapters/password/node';
import { generatePrivateKeyPem, loadSigningKeys } from '../../src/core/keys';
import { publicKeyOf } from '../../src/core/key-rotation';
import type { Database } from '../../src/core/ports';
import { runAdminCli, type CliRun } from '../support/admin-cli';
import { QUICK_TEST_SETTINGS } from '../support/authgate-process';
import { createFreshDatabase, type FreshDatabase } from '../support/db-targets';

const PASSWORD = 'granite-orchard-telescope-19';
// Every run opens PGlite afresh (seconds each) on a machine shared with other test runs.
const SLOW = 180_000;
const T0 = new Date();
const hasher = createNodePasswordHasher({ memoryKib: Number(QUICK_TEST_SETTINGS.ARGON2_MEMORY_KIB), iterations: 1, parallelism: 1 });

const oneLine = (run: CliRun) => {
  expect(run.stderr.trimEnd().split('\n'), run.stderr).toHaveLength(1);
  return run.stderr.trim();
};

/** A user with one live session (and its refresh token), then locked with a failed-login count, as the server would leave it. */
async function lockedUserWithSession(db: Database, email: string) {
  const id = crypto.randomUUID();
  await db.users.create({ id, email, name: null, passwordHash: null, role: 'USER', emailVerifiedAt: null, createdAt: T0 });
  const sessionId = crypto.randomUUID();
  const expiresAt = new Date(T0.getTime() + 3600_000);
  const session = { id: sessionId, userId: id, createdAt: T0, expiresAt, ipAddress: null, userAgent: null, amr: ['pwd'], securityStamp: 0 };
  expect(await db.sessions.createWithRefreshToken(session, { id: crypto.randomUUID(), sessionId, tokenHash: crypto.randomUUID(), parentId: null, createdAt: T0, expiresAt }, { recordSignIn: false })).toBe(true);
  await db.users.recordLoginFailure(id, T0, { threshold: 100, lockSeconds: 60 });
  await db.users.lockUntil(id, expiresAt, T0);
  return { id, sessionId };
}

/** promote, unlock and revoke-sessions on `email`, each one line on stdout. */
async function promoteUnlockRevoke(settings: Record<string, string>, email: string) {
  expect(await runAdminCli(['promote', email], settings)).toMatchObject({ code: 0, stdout: `${email} is a SUPER_ADMIN now\n` });
  expect(await runAdminCli(['promote', email], settings)).toMatchObject({ code: 0, stdout: `${email} was a SUPER_ADMIN already\n` });
  expect(await runAdminCli(['unlock', email], settings)).toMatchObject({ code: 0, stdout: `unlocked ${email}\n` });
  expect(await runAdminCli(['revoke-sessions', email], settings)).toMatchObject({ code: 0, stdout: `ended 1 session(s) of ${email}\n` });
}

async function expectManaged(db: Database, user: { id: string; sessionId: string }) {
  expect(await db.users.findById(user.id)).toMatchObject({ role: 'SUPER_ADMIN', lockedUntil: null, failedLoginCount: 0 });
  expect((await db.sessions.findById(user.sessionId))?.revokedAt).not.toBeNull();
  const audit = await db.audit.listForUser(user.id, 10);
  expect(audit.map((row) => [row.action, row.actorId, row.metadata.via])).toEqual([
    ['SESSION_REVOKED', null, 'cli'],
    ['USER_UPDATED_BY_ADMIN', null, 'cli'],
    ['ROLE_CHANGED', null, 'cli'],
  ]);
}

describe('on the embedded stores of a DATA_DIR', () => {
  let root: string;
  let settings: Record<string, string>;
  const withDb = async <T>(use: (db: Database) => Promise<T>) => {
    const db = await openPgliteDatabase({ dataDir: join(settings.DATA_DIR!, 'pglite') });
    try {
      return await use(db);
    } finally {
      await db.close();
    }
  };
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'authgate-admin-cli-'));
    settings = { DATA_DIR: join(root, 'data') };
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('create-admin makes a verified SUPER_ADMIN from a password on stdin, never from argv, and refuses a second one', async () => {
    const created = await runAdminCli(['create-admin', '--email', ' Root@Example.com '], settings, `${PASSWORD}\n`);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^created SUPER_ADMIN root@example\.com \(id [0-9a-f-]{36}\)\n$/);
    const again = await runAdminCli(['create-admin', '--email', 'root@example.com'], settings, `${PASSWORD}\n`);
    expect(again.code).toBe(1);
    expect(oneLine(again)).toBe('authgate admin: a user with e-mail root@example.com exists already; use `promote root@example.com`');
    const argv = await runAdminCli(['create-admin', '--email', 'other@example.com', '--password', PASSWORD], settings);
    expect(argv.code).toBe(2);
    expect(argv.stderr).toMatch(/^authgate admin: Unknown option '--password'/);
    const weak = await runAdminCli(['create-admin', '--email', 'other@example.com'], settings, 'password1234\n');
    expect([weak.code, oneLine(weak)]).toEqual([1, 'authgate admin: password refused: Password is too common']);

    await withDb(async (db) => {
      const user = await db.users.findByEmail('root@example.com');
      expect(user).toMatchObject({ role: 'SUPER_ADMIN', deletedAt: null });
      expect(user!.emailVerifiedAt).not.toBeNull();
      expect(await hasher.verify(user!.passwordHash!, PASSWORD)).toBe(true);
      expect(await db.users.findByEmail('other@example.com')).toBeNull();
    });
  }, SLOW);

  it('promote, unlock and revoke-sessions act on the user, deny its sessions in kv.json, and audit with via: cli', async () => {
    const user = await withDb((db) => lockedUserWithSession(db, 'ada@example.com'));
    await promoteUnlockRevoke(settings, 'ada@example.com');
    await withDb((db) => expectManaged(db, user));
    // The server reads this file at start: the session's access tokens are refused there at once.
    expect(await readFile(join(settings.DATA_DIR!, 'kv.json'), 'utf8')).toContain(`"deny:sid:${user.sessionId}"`);
  }, SLOW);

  it('rotate-signing-key replaces the stored key and keeps the old public key published for one access-token life', async () => {
    const before = await withDb(async (db) => (await db.secrets.get('jwt_private_key'))!);
    const rotated = await runAdminCli(['rotate-signing-key'], settings);
    expect(rotated.code, rotated.stderr).toBe(0);
    const oldKid = (await publicKeyOf(before)).kid;
    const after = await withDb(async (db) => (await db.secrets.get('jwt_private_key'))!);
    const newKid = (await publicKeyOf(after)).kid;
    expect(newKid).not.toBe(oldKid);
    expect(rotated.stdout).toContain(`new kid ${newKid}; kid ${oldKid} stays published until`);

    // What the server assembles from DATA_DIR: signs with the new key, verifies and publishes both, until the old
    // key's tokens have all expired (ACCESS_TOKEN_TTL_SECONDS, 900 s by default).
    const { loadConfig } = await import('../../src/config');
    const { createNodeDeps } = await import('../../src/runtime/node-deps');
    const kidsAt = async (nowMs: number) => {
      const deps = await createNodeDeps(loadConfig({ ...QUICK_TEST_SETTINGS, ...settings }, 'node'), { clock: { nowMs: () => nowMs } });
      try {
        return { signing: deps.keys.current.kid, published: deps.keys.jwks.keys.map((key) => key.kid) };
      } finally {
        await Promise.all([deps.db.close(), deps.kv.close()]);
      }
    };
    expect(await kidsAt(Date.now())).toEqual({ signing: newKid, published: [newKid, oldKid] });
    expect(await kidsAt(Date.now() + 901_000)).toEqual({ signing: newKid, published: [newKid] });
  }, SLOW);

  it('says in one line what is wrong: an unknown user, a bad e-mail, a DATA_DIR held by a live server, a PGlite it cannot open', async () => {
    const unknown = await runAdminCli(['unlock', 'nobody@example.com'], settings);
    expect([unknown.code, oneLine(unknown)]).toEqual([1, 'authgate admin: no user with e-mail nobody@example.com']);
    const bad = await runAdminCli(['promote', 'not-an-email'], settings);
    expect([bad.code, oneLine(bad)]).toEqual([1, 'authgate admin: not an e-mail address: "not-an-email"']);

    // A running server holds DATA_DIR/.lock with its pid (this test process stands in: its pid is alive).
    const lock = join(settings.DATA_DIR!, '.lock');
    await writeFile(lock, `${process.pid}\n`);
    const held = await runAdminCli(['unlock', 'ada@example.com'], settings);
    expect(held.code).toBe(1);
    expect(oneLine(held)).toContain(`is in use by another authgate (pid ${process.pid})`);
    expect(held.stderr).toContain('PGlite, serves one process at a time');
    expect(await readFile(lock, 'utf8')).toBe(`${process.pid}\n`);
    await rm(lock);

    const broken = { DATA_DIR: join(root, 'broken') };
    await import('node:fs/promises').then((fs) => fs.mkdir(broken.DATA_DIR, { recursive: true }));
    await writeFile(join(broken.DATA_DIR, 'pglite'), 'not a database directory');
    const unopenable = await runAdminCli(['unlock', 'ada@example.com'], broken);
    expect(unopenable.code).toBe(1);
    expect(oneLine(unopenable)).toMatch(/^authgate admin: setting DATA_DIR: cannot use .*broken \(/);
  }, SLOW);
});

describe('on PostgreSQL and Redis', () => {
  let fresh: FreshDatabase;
  let settings: Record<string, string>;
  let db: Database;
  beforeAll(async () => {
    fresh = await createFreshDatabase();
    db = await openPostgresDatabase(fresh.url);
    settings = { DATABASE_URL: fresh.url, REDIS_URL: inject('redisUrl'), JWT_PRIVATE_KEY: await generatePrivateKeyPem() };
  });
  afterAll(async () => {
    await db?.close();
    await fresh?.drop();
  });

  it('create-admin, promote, unlock and revoke-sessions, with the sessions denied in Redis', async () => {
    const created = await runAdminCli(['create-admin', '--email', 'root@example.com'], settings, `${PASSWORD}\n`);
    expect(created.code, created.stderr).toBe(0);
    expect(await db.users.findByEmail('root@example.com')).toMatchObject({ role: 'SUPER_ADMIN' });
    const user = await lockedUserWithSession(db, 'ada@example.com');
    await promoteUnlockRevoke(settings, 'ada@example.com');
    await expectManaged(db, user);
    const redis = createClient({ url: inject('redisUrl') });
    await redis.connect();
    try {
      expect(await redis.exists(`authgate:deny:sid:${user.sessionId}`)).toBe(1);
    } finally {
      await redis.quit();
    }
  });

  it('rotate-signing-key with JWT_PRIVATE_KEY set prints the new private key and the current public key to keep', async () => {
    const run = await runAdminCli(['rotate-signing-key'], settings);
    expect(run.code, run.stderr).toBe(0);
    const privatePem = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/.exec(run.stdout)?.[0];
    const publicPem = /-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/.exec(run.stdout)?.[0];
    const oldKid = (await publicKeyOf(settings.JWT_PRIVATE_KEY!)).kid;
    const keys = await loadSigningKeys(privatePem!, publicPem!);
    expect(keys.current.kid).not.toBe(oldKid);
    expect(keys.jwks.keys.map((key) => key.kid)).toEqual([keys.current.kid, oldKid]);
  });

  it('names an unreachable database in one line, without its password', async () => {
    const run = await runAdminCli(['unlock', 'ada@example.com'], { DATABASE_URL: 'postgres://admin:s3cret-pw@127.0.0.1:1/authgate', REDIS_URL: inject('redisUrl') });
    expect(run.code).toBe(1);
    expect(oneLine(run)).toBe('authgate admin: setting DATABASE_URL: cannot use postgres://admin:***@127.0.0.1:1/authgate (ECONNREFUSED 127.0.0.1:1)');
  });
});
