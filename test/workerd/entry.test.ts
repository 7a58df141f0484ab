// The Workers entry itself (src/runtime/worker.ts `export default`), inside workerd: a misconfigured deployment answers
// a 503 envelope and logs one line naming every missing setting; a configured one serves the app and runs the purge cron.
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import worker from '../../src/runtime/worker';
import { neonHttp } from '../../src/adapters/db/neon-http';
import { bytesToHex, webRandom } from '../../src/core/crypto';
import { generatePrivateKeyPem } from '../../src/core/keys';

// The Neon bridge's loopback address, as DATABASE_URL is under `npm run dev:bridges`.
const serverUrl = new URL(inject('neonServerUrl'));
const database = `w_${crypto.randomUUID().replaceAll('-', '')}`;
let env: Record<string, string>;
const waited: Promise<unknown>[] = [];
const ctx = { waitUntil: (promise: Promise<unknown>) => void waited.push(promise), passThroughOnException() {} };

beforeAll(async () => {
  await neonHttp(serverUrl.toString()).query(`CREATE DATABASE ${database} TEMPLATE ${inject('templateDatabase')}`);
  const databaseUrl = new URL(serverUrl);
  databaseUrl.pathname = `/${database}`;
  env = {
    NODE_ENV: 'production',
    APP_URL: 'https://auth.example.com',
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl.toString(),
    UPSTASH_REDIS_REST_URL: inject('upstashUrl'),
    UPSTASH_REDIS_REST_TOKEN: inject('upstashToken'),
    JWT_PRIVATE_KEY: await generatePrivateKeyPem(),
    MFA_ENCRYPTION_KEY: bytesToHex(webRandom.bytes(32)),
    MAIL_HTTP_URL: inject('mailSinkUrl'),
    MAIL_HTTP_TOKEN: 'mail-sink-token',
  };
});
afterAll(async () => {
  await neonHttp(serverUrl.toString()).query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
});

describe('the Workers entry', () => {
  it('answers 503 with the error envelope and logs one line naming a missing setting', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const { DATABASE_URL: _missing, ...withoutDatabase } = env;
      const response = await worker.fetch(new Request('https://auth.example.com/health'), withoutDatabase, ctx);
      expect(response.status).toBe(503);
      const body = (await response.json()) as { success: boolean; error: { code: string; requestId: string } };
      expect(body).toMatchObject({ success: false, error: { code: 'SERVICE_UNAVAILABLE' } });
      expect(response.headers.get('x-request-id')).toBe(body.error.requestId);
      expect(errors).toHaveBeenCalledWith('authgate: setting DATABASE_URL is missing: Workers need a Neon database URL');
    } finally {
      errors.mockRestore();
    }
  });

  it('names every missing setting in one log line, so one restart fixes them all', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const response = await worker.fetch(new Request('https://auth.example.com/health'), { NODE_ENV: 'production', MAIL_TRANSPORT: 'http' }, ctx);
      expect(response.status).toBe(503);
      expect(errors).toHaveBeenCalledTimes(1);
      const line = String(errors.mock.calls[0]?.[0]);
      expect(line).toMatch(/^authgate: 6 settings need fixing: /);
      for (const name of ['DATABASE_URL', 'UPSTASH_REDIS_REST_URL', 'UPSTASH_REDIS_REST_TOKEN', 'JWT_PRIVATE_KEY', 'MFA_ENCRYPTION_KEY', 'MAIL_HTTP_URL']) {
        expect(line).toContain(`setting ${name} is missing`);
      }
    } finally {
      errors.mockRestore();
    }
  });

  it('serves the app once configured, believing only CF-Connecting-IP, and never the dev mailbox', async () => {
    const health = await worker.fetch(new Request('https://auth.example.com/health'), env, ctx);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await worker.fetch(new Request('https://auth.example.com/health/ready'), env, ctx);
    expect(ready.status).toBe(200);
    const mailbox = await worker.fetch(new Request('https://auth.example.com/dev/mailbox'), env, ctx);
    expect(mailbox.status).toBe(404);
    const jwks = (await (await worker.fetch(new Request('https://auth.example.com/.well-known/jwks.json'), env, ctx)).json()) as { keys: unknown[] };
    expect(jwks.keys).toHaveLength(1);
  });

  it('purges expired tokens from the cron trigger through waitUntil', async () => {
    waited.length = 0;
    await worker.scheduled({}, env, ctx);
    expect(waited).toHaveLength(1);
    await expect(waited[0]).resolves.toEqual(expect.any(Number));
  });
});
