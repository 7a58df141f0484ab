// With the database unreachable, operations answer 503 SERVICE_UNAVAILABLE (not a masked 500), readiness says which
// store failed, and the log line carries no query parameters.
import { createServer, type AddressInfo, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNeonDatabase } from '../../src/adapters/db/neon';
import { openPostgresDatabase } from '../../src/adapters/db/postgres';
import { createEmbeddedStore } from '../../src/adapters/kv/embedded';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { bytesToHex, webRandom } from '../../src/core/crypto';
import { StoreUnavailableError } from '../../src/core/errors';
import { generatePrivateKeyPem } from '../../src/core/keys';
import { createJsonLogger } from '../../src/core/logger';
import type { Database } from '../../src/core/ports';
import { createNodeDeps } from '../../src/runtime/node-deps';
import { freePort } from '../support/authgate-process';
import { createTestClock } from '../support/clock';
import { createFreshDatabase } from '../support/db-targets';

let deadPort: number;
let db: Database;
beforeAll(async () => {
  deadPort = await freePort(); // nothing listens here
  db = await openPostgresDatabase(`postgres://postgres:secret@127.0.0.1:${deadPort}/authgate`, { migrate: false });
});
afterAll(async () => {
  await db?.close();
});

describe('an unreachable database', () => {
  it('surfaces as StoreUnavailableError from the node-postgres driver', async () => {
    await expect(db.users.findByEmail('ada@example.com')).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('surfaces as StoreUnavailableError from the Neon HTTP driver', async () => {
    // A loopback host goes to a bridge on its own port over plain HTTP; nothing listens there.
    const neon = openNeonDatabase(`postgresql://u:p@127.0.0.1:${deadPort}/app`);
    await expect(neon.users.findByEmail('ada@example.com')).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('answers 503 to a login and to readiness, and logs no query parameters', async () => {
    const lines: string[] = [];
    const clock = createTestClock();
    const config = loadConfig(
      { JWT_PRIVATE_KEY: await generatePrivateKeyPem(), MFA_ENCRYPTION_KEY: bytesToHex(webRandom.bytes(32)), LOG_LEVEL: 'debug' },
      'node',
    );
    const kv = await createEmbeddedStore({ clock });
    const deps = await createNodeDeps(config, { db, kv, clock, logger: createJsonLogger('debug', (line) => lines.push(line)) });
    const app = createApp(deps);
    const email = 'unreachable.person@example.com';
    const login = await app.request('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'violet-harbour-lantern-42' }),
    });
    expect(login.status).toBe(503);
    expect(((await login.json()) as { error: { code: string } }).error.code).toBe('SERVICE_UNAVAILABLE');
    const ready = await app.request('/health/ready');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'unavailable', checks: { database: 'failed', keyValue: 'ok' } });
    expect(lines.join('\n')).toContain('backing store unavailable');
    expect(lines.join('\n')).not.toContain(email);
    await kv.close();
  });
});

// Each test's own time limit is the bound on "never a hung request": the pool's deadlines are 2 s (connect) and
// 4 s / 4.5 s (statement, server and client side), so 10 s is ample and a missing deadline hangs past it.
const BOUND_MS = 10_000;

describe('a database that stops answering', () => {
  it('surfaces as StoreUnavailableError when the server accepts connections and never answers', { timeout: BOUND_MS }, async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const mute = await openPostgresDatabase(`postgres://postgres:secret@127.0.0.1:${(silent.address() as AddressInfo).port}/authgate`, { migrate: false });
    try {
      await expect(mute.users.findByEmail('ada@example.com')).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      for (const socket of sockets) socket.destroy();
      await Promise.allSettled([mute.close(), new Promise<void>((resolve) => silent.close(() => resolve()))]);
    }
  });

  // A fresh migrated database first, on a loaded machine: the bound here is three times the other.
  it('surfaces as StoreUnavailableError when a statement waits on a lock past the statement timeout', { timeout: 3 * BOUND_MS }, async () => {
    const fresh = await createFreshDatabase();
    const blocked = await openPostgresDatabase(fresh.url);
    const holder = new pg.Client({ connectionString: fresh.url });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query('lock table users in access exclusive mode');
      await expect(blocked.users.findByEmail('ada@example.com')).rejects.toBeInstanceOf(StoreUnavailableError);
      await holder.query('rollback');
      // The pool serves again at once: the cancelled statement left no broken connection behind.
      expect(await blocked.users.findByEmail('ada@example.com')).toBeNull();
    } finally {
      await Promise.allSettled([holder.end(), blocked.close()]);
      await fresh.drop();
    }
  });
});
