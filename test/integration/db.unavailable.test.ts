// With the database unreachable, operations answer 503 SERVICE_UNAVAILABLE (not a masked 500), readiness says which
// store failed, and the log line carries no query parameters.
import { neonConfig } from '@neondatabase/serverless';
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
    const previous = neonConfig.fetchEndpoint;
    neonConfig.fetchEndpoint = `http://127.0.0.1:${deadPort}/sql`;
    try {
      const neon = openNeonDatabase('postgresql://u:p@db.example.neon.tech/app');
      await expect(neon.users.findByEmail('ada@example.com')).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      neonConfig.fetchEndpoint = previous;
    }
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
