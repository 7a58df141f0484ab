import { inject } from 'vitest';
import { createApp } from '../../src/app';
import { neonHttp } from '../../src/adapters/db/neon-http';
import { bytesToHex, webRandom } from '../../src/core/crypto';
import { generatePrivateKeyPem } from '../../src/core/keys';
import { createJsonLogger } from '../../src/core/logger';
import { createWorkerDeps } from '../../src/runtime/worker';
import { createTestClock } from './clock';
import { baseTestEnv, buildRequestInit, type Harness, type HarnessOptions, type ReceivedMail, type RequestOptions } from './harness';

/**
 * workerd: the real Workers wiring (src/runtime/worker.ts) inside workerd, on real PostgreSQL through the Neon HTTP
 * bridge (a fresh database cloned from the migrated template) and real Redis through the Upstash REST bridge.
 * Client addresses travel in CF-Connecting-IP, the only one Workers believe.
 */
export async function createHarness(env: Record<string, string> = {}, options: HarnessOptions = {}): Promise<Harness> {
  // The Neon bridge's loopback address, as DATABASE_URL is under `npm run dev:bridges`: no fetchEndpoint to set.
  const serverUrl = new URL(inject('neonServerUrl'));
  const database = `h_${crypto.randomUUID().replaceAll('-', '')}`;
  await neonHttp(serverUrl.toString()).query(`CREATE DATABASE ${database} TEMPLATE ${inject('templateDatabase')}`);
  const databaseUrl = new URL(serverUrl);
  databaseUrl.pathname = `/${database}`;

  const clock = createTestClock();
  const logs: string[] = [];
  const deps = await createWorkerDeps(
    {
      ...baseTestEnv,
      DATABASE_URL: databaseUrl.toString(),
      UPSTASH_REDIS_REST_URL: inject('upstashUrl'),
      UPSTASH_REDIS_REST_TOKEN: inject('upstashToken'),
      JWT_PRIVATE_KEY: await generatePrivateKeyPem(),
      MFA_ENCRYPTION_KEY: bytesToHex(webRandom.bytes(32)),
      MAIL_TRANSPORT: 'http',
      MAIL_HTTP_URL: inject('mailSinkUrl'),
      MAIL_HTTP_TOKEN: 'mail-sink-token',
      ...env,
    },
    {
      clock,
      logger: createJsonLogger('debug', (line) => logs.push(line)),
      keyPrefix: `${database}:`,
      ...(options.oauthProviders ? { oauthProviders: options.oauthProviders } : {}),
    },
  );
  const app = createApp(deps);
  return {
    runtime: 'workerd',
    logs,
    clock,
    query: async (text: string, params: unknown[] = []) => (await neonHttp(databaseUrl.toString()).query(text, params)).rows,
    async mailbox(to: string) {
      const response = await fetch(`${inject('mailSinkMessagesUrl')}?to=${encodeURIComponent(to)}`);
      return ((await response.json()) as { messages: ReceivedMail[] }).messages;
    },
    deps,
    request: async (path: string, options: RequestOptions = {}) =>
      app.fetch(new Request(`http://authgate.test${path}`, buildRequestInit(options, 'cf-connecting-ip'))),
    async close() {
      await Promise.allSettled([deps.db.close(), deps.kv.close()]);
      await neonHttp(serverUrl.toString()).query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    },
  };
}
