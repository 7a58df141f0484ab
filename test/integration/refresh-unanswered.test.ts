// Revocations and rotations that a store failure cuts in half (issue 14, "found by a fault run"), made to happen
// deterministically: the app runs on a real PostgreSQL database through a wrapper that lets a statement commit and
// then throws as a lost connection does, or fails one key-value write, at exactly the step under test.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDevMailbox } from '../../src/adapters/mail/dev-mailbox';
import { openPostgresDatabase } from '../../src/adapters/db/postgres';
import { createEmbeddedStore } from '../../src/adapters/kv/embedded';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { bytesToHex, webRandom } from '../../src/core/crypto';
import { StoreUnavailableError } from '../../src/core/errors';
import { generatePrivateKeyPem } from '../../src/core/keys';
import { createJsonLogger } from '../../src/core/logger';
import type { Database, KeyValueStore } from '../../src/core/ports';
import { UNANSWERED_ROTATION_SECONDS } from '../../src/core/refresh';
import { createNodeDeps } from '../../src/runtime/node-deps';
import { createTestClock } from '../support/clock';
import { createFreshDatabase, type FreshDatabase } from '../support/db-targets';

const PASSWORD = 'violet-harbour-lantern-42';
const GRACE_SECONDS = 10;
const clock = createTestClock();
const lostConnection = () => new StoreUnavailableError('database', new Error('Connection terminated unexpectedly'));

/**
 * The step that fails next, once: the rotation's reply after it committed (its audit row commits with it, in the same
 * statement), a session revoke, a denylist write.
 */
let failNext: 'rotation-reply' | 'session-revoke' | 'denylist-write' | null = null;
function failing(step: NonNullable<typeof failNext>): boolean {
  if (failNext !== step) return false;
  failNext = null;
  return true;
}

let fresh: FreshDatabase;
let db: Database;
let kv: KeyValueStore;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  fresh = await createFreshDatabase();
  db = await openPostgresDatabase(fresh.url);
  kv = await createEmbeddedStore({ clock });
  const wrapped: Database = {
    ...db,
    sessions: {
      ...db.sessions,
      async rotateRefreshToken(...args) {
        const outcome = await db.sessions.rotateRefreshToken(...args);
        if (failing('rotation-reply')) throw lostConnection(); // committed, but the answer never arrived
        return outcome;
      },
      async revoke(...args) {
        if (failing('session-revoke')) throw lostConnection();
        return db.sessions.revoke(...args);
      },
    },
  };
  const flakyKv: KeyValueStore = {
    ...kv,
    kind: kv.kind,
    async set(...args) {
      if (args[0].startsWith('deny:') && failing('denylist-write')) throw new Error('Redis did not answer within 2000 ms');
      return kv.set(...args);
    },
  };
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      JWT_PRIVATE_KEY: await generatePrivateKeyPem(),
      MFA_ENCRYPTION_KEY: bytesToHex(webRandom.bytes(32)),
      ARGON2_MEMORY_KIB: '4096',
      ARGON2_ITERATIONS: '1',
      RATE_LIMIT_AUTH: '1000/60',
      REFRESH_REUSE_GRACE_SECONDS: String(GRACE_SECONDS),
      MAIL_TRANSPORT: 'dev',
    },
    'node',
  );
  const deps = await createNodeDeps(config, {
    db: wrapped,
    kv: flakyKv,
    clock,
    mailer: createDevMailbox({ now: () => clock.nowMs() }),
    logger: createJsonLogger('silent'),
  });
  app = createApp(deps);
}, 60_000);

afterAll(async () => {
  await Promise.allSettled([db?.close(), kv?.close()]);
  await fresh?.drop();
});

beforeEach(() => {
  failNext = null;
});

async function call(path: string, init: { method?: string; json?: unknown; token?: string } = {}) {
  const headers: Record<string, string> = {};
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const response = await app.request(path, {
    method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
    headers,
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
  });
  const body = (await response.json()) as { data?: Record<string, unknown>; error?: { code: string } };
  return { status: response.status, body };
}

let userCount = 0;
async function signIn() {
  const email = `annie.easley.${++userCount}@example.com`;
  expect((await call('/api/v1/auth/register', { json: { email, password: PASSWORD } })).status).toBe(201);
  const login = await call('/api/v1/auth/login', { json: { email, password: PASSWORD } });
  expect(login.status).toBe(200);
  return login.body.data as { accessToken: string; refreshToken: string };
}

const refresh = (refreshToken: string) => call('/api/v1/auth/refresh', { json: { refreshToken } });
const me = (token: string) => call('/api/v1/users/me', { token });
const logout = (token: string) => call('/api/v1/auth/logout', { method: 'POST', token });

describe('a refresh whose rotation committed but whose answer was a 503', () => {
  it('(its reply lost after it committed) is retried after the grace window and gets the same unused successor, not a reuse kill', async () => {
    const { refreshToken } = await signIn();
    failNext = 'rotation-reply';
    const cut = await refresh(refreshToken);
    expect(cut.status).toBe(503);
    expect(cut.body.error?.code).toBe('SERVICE_UNAVAILABLE');
    clock.advance(GRACE_SECONDS * 6); // the store came back a minute later

    const retried = await refresh(refreshToken);
    expect(retried.status).toBe(200);
    const child = retried.body.data as { accessToken: string; refreshToken: string };
    const { user } = (await me(child.accessToken)).body.data as { user: { id: string } };
    expect(user.id).toEqual(expect.any(String));
    // The chain goes on as usual from the successor.
    const next = await refresh(child.refreshToken);
    expect(next.status).toBe(200);
    // Two rotations, two TOKEN_REFRESHED rows: the lost reply's row committed with its rotation, the retry adds none.
    const audited = (await db.audit.listForUser(user.id, 20)).filter((row) => row.action === 'TOKEN_REFRESHED');
    expect(audited).toHaveLength(2);
    // Theft detection is intact: the old token, once its successor was used, kills the session.
    clock.advance(GRACE_SECONDS * 2);
    const replayed = await refresh(refreshToken);
    expect(replayed.status).toBe(401);
    expect(replayed.body.error?.code).toBe('TOKEN_REUSE_DETECTED');
    expect((await refresh((next.body.data as { refreshToken: string }).refreshToken)).status).toBe(401);
  });

  it('is a reuse again once the rotation was answered', async () => {
    const { refreshToken } = await signIn();
    failNext = 'rotation-reply';
    expect((await refresh(refreshToken)).status).toBe(503);
    clock.advance(GRACE_SECONDS * 6);
    expect((await refresh(refreshToken)).status).toBe(200); // answered now
    clock.advance(GRACE_SECONDS * 2);
    const again = await refresh(refreshToken);
    expect(again.status).toBe(401);
    expect(again.body.error?.code).toBe('TOKEN_REUSE_DETECTED');
  });

  it('is a reuse after a rotation that was answered at once (a stolen old token)', async () => {
    const { refreshToken } = await signIn();
    expect((await refresh(refreshToken)).status).toBe(200);
    clock.advance(GRACE_SECONDS * 2);
    const stolen = await refresh(refreshToken);
    expect(stolen.status).toBe(401);
    expect(stolen.body.error?.code).toBe('TOKEN_REUSE_DETECTED');
  });

  it(`can be retried for ${UNANSWERED_ROTATION_SECONDS} s; later the retry is a reuse`, async () => {
    const { refreshToken } = await signIn();
    failNext = 'rotation-reply';
    expect((await refresh(refreshToken)).status).toBe(503);
    clock.advance(UNANSWERED_ROTATION_SECONDS + 1);
    const late = await refresh(refreshToken);
    expect(late.status).toBe(401);
    expect(late.body.error?.code).toBe('TOKEN_REUSE_DETECTED');
  });
});

describe('a revocation cut in half by a store failure', () => {
  it('logout: the database failing first leaves everything as it was, and the same call succeeds later', async () => {
    const session = await signIn();
    failNext = 'session-revoke';
    expect((await logout(session.accessToken)).status).toBe(503);
    expect((await me(session.accessToken)).status).toBe(200);
    expect((await logout(session.accessToken)).status).toBe(200);
    expect((await me(session.accessToken)).status).toBe(401);
    expect((await refresh(session.refreshToken)).status).toBe(401);
  });

  it('logout: the denylist write failing after the revocation leaves the session dead for refresh, and the retry kills the token', async () => {
    const session = await signIn();
    failNext = 'denylist-write';
    expect((await logout(session.accessToken)).status).toBe(503);
    expect((await refresh(session.refreshToken)).status).toBe(401);
    expect((await logout(session.accessToken)).status).toBe(200);
    expect((await me(session.accessToken)).status).toBe(401);
  });

  it('session revoke: a sid denied whose database revocation failed cannot refresh, and is then revoked for good', async () => {
    const current = await signIn();
    const email = `annie.easley.${userCount}@example.com`;
    const other = (await call('/api/v1/auth/login', { json: { email, password: PASSWORD } })).body.data as { accessToken: string; refreshToken: string };
    // The session id is the access token's `sid` (the registration left a third session of this user).
    const otherId = (JSON.parse(Buffer.from(other.accessToken.split('.')[1]!, 'base64url').toString()) as { sid: string }).sid;
    const before = await call('/api/v1/sessions', { token: current.accessToken });
    expect((before.body.data as { sessions: { id: string }[] }).sessions.map((s) => s.id)).toContain(otherId);
    failNext = 'session-revoke';
    expect((await call(`/api/v1/sessions/${otherId}`, { method: 'DELETE', token: current.accessToken })).status).toBe(503);
    expect((await me(other.accessToken)).status).toBe(401); // denied at once
    clock.advance(GRACE_SECONDS * 2);
    expect((await refresh(other.refreshToken)).status).toBe(401);
    // The refresh finished the revocation: the session is gone from the list, and stays dead once the entry expires.
    const after = await call('/api/v1/sessions', { token: current.accessToken });
    expect((after.body.data as { sessions: { id: string }[] }).sessions.map((s) => s.id)).not.toContain(otherId);
  });
});
