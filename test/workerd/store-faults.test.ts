// The Workers wiring inside workerd with one store unreachable (nothing listens where Upstash or Neon should answer,
// as when the service or the bridge's upstream is down): the same promises as on Node — denylist routes fail closed
// with 503, rate limits fail open and log it once, readiness names the store, never a 500.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../../src/app';
import { neonHttp } from '../../src/adapters/db/neon-http';
import { bytesToHex, webRandom } from '../../src/core/crypto';
import { generatePrivateKeyPem } from '../../src/core/keys';
import { createJsonLogger } from '../../src/core/logger';
import { createWorkerDeps } from '../../src/runtime/worker';
import { createTestClock } from '../support/clock';
import { baseTestEnv } from '../support/harness';

const PASSWORD = 'violet-harbour-lantern-42';
// Port 1 on the loopback: nothing listens there, so every request to it is refused.
const NOWHERE = 'http://127.0.0.1:1';
const serverUrl = new URL(inject('neonServerUrl'));
const database = `f_${crypto.randomUUID().replaceAll('-', '')}`;
const databaseUrl = new URL(serverUrl);
databaseUrl.pathname = `/${database}`;

beforeAll(async () => {
  await neonHttp(serverUrl.toString()).query(`CREATE DATABASE ${database} TEMPLATE ${inject('templateDatabase')}`);
});
afterAll(async () => {
  await neonHttp(serverUrl.toString()).query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
});

async function workerApp(stores: { DATABASE_URL: string; UPSTASH_REDIS_REST_URL: string }) {
  const logs: string[] = [];
  const deps = await createWorkerDeps(
    {
      ...baseTestEnv,
      UPSTASH_REDIS_REST_TOKEN: inject('upstashToken'),
      JWT_PRIVATE_KEY: await generatePrivateKeyPem(),
      MFA_ENCRYPTION_KEY: bytesToHex(webRandom.bytes(32)),
      MAIL_TRANSPORT: 'http',
      MAIL_HTTP_URL: inject('mailSinkUrl'),
      MAIL_HTTP_TOKEN: 'mail-sink-token',
      ...stores,
    },
    { clock: createTestClock(), logger: createJsonLogger('debug', (line) => logs.push(line)), keyPrefix: `${database}:` },
  );
  const app = createApp(deps);
  const call = async (path: string, init: { json?: unknown; token?: string; method?: string } = {}) => {
    const headers: Record<string, string> = { 'cf-connecting-ip': '203.0.113.9' };
    if (init.json !== undefined) headers['content-type'] = 'application/json';
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    const response = await app.fetch(
      new Request(`http://authgate.test${path}`, {
        method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
        headers,
        ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
      }),
    );
    const text = await response.text();
    return { status: response.status, text, body: JSON.parse(text) as { data?: Record<string, string>; error?: { code: string }; checks?: unknown } };
  };
  return { call, logs, close: () => Promise.allSettled([deps.db.close(), deps.kv.close()]) };
}

function expectUnavailable(reply: { status: number; text: string; body: { error?: { code: string } } }) {
  expect(reply.status).toBe(503);
  expect(reply.body.error?.code).toBe('SERVICE_UNAVAILABLE');
  expect(reply.text).not.toMatch(/\bat .*:\d+:\d+|ECONNREFUSED|fetch failed|upstash|neon/i);
}

describe('a Worker whose Upstash cannot be reached', () => {
  it('fails closed for the denylist, open (logged once) for rate limits, and readiness names the key-value store', async () => {
    const { call, logs, close } = await workerApp({ DATABASE_URL: databaseUrl.toString(), UPSTASH_REDIS_REST_URL: NOWHERE });
    try {
      const email = 'christine.darden@example.com';
      expect((await call('/api/v1/auth/register', { json: { email, password: PASSWORD } })).status).toBe(201);
      const logins = [];
      for (let i = 0; i < 3; i++) {
        const login = await call('/api/v1/auth/login', { json: { email, password: PASSWORD } });
        expect(login.status).toBe(200);
        logins.push(login.body.data!);
      }
      expectUnavailable(await call('/api/v1/users/me', { token: logins[0]!.accessToken }));
      expectUnavailable(await call('/api/v1/auth/logout', { method: 'POST', token: logins[1]!.accessToken }));
      expectUnavailable(await call('/api/v1/auth/refresh', { json: { refreshToken: logins[2]!.refreshToken } }));
      const ready = await call('/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body).toEqual({ status: 'unavailable', checks: { database: 'ok', keyValue: 'failed' } });
      expect(logs.filter((line) => line.includes('"msg":"rate limiter unavailable')).length).toBe(1);
    } finally {
      await close();
    }
  });
});

describe('a Worker whose Neon cannot be reached', () => {
  it('answers 503 to what needs the database and readiness names it', async () => {
    const { call, close } = await workerApp({ DATABASE_URL: `postgresql://u:p@127.0.0.1:1/${database}`, UPSTASH_REDIS_REST_URL: inject('upstashUrl') });
    try {
      expectUnavailable(await call('/api/v1/auth/register', { json: { email: 'gladys.west@example.com', password: PASSWORD } }));
      expectUnavailable(await call('/api/v1/auth/login', { json: { email: 'gladys.west@example.com', password: PASSWORD } }));
      expectUnavailable(await call('/api/v1/auth/refresh', { json: { refreshToken: 'x'.repeat(43) } }));
      const ready = await call('/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body).toEqual({ status: 'unavailable', checks: { database: 'failed', keyValue: 'ok' } });
    } finally {
      await close();
    }
  });
});
