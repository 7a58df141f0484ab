import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createEmbeddedStore } from '../../src/adapters/kv/embedded';
import { createDevMailbox } from '../../src/adapters/mail/dev-mailbox';
import { createJsonLogger } from '../../src/core/logger';
import { createNodeDeps } from '../../src/runtime/node-deps';
import { frameResponses } from '../../src/runtime/node-frame-response';
import { createTestClock } from './clock';
import pg from 'pg';
import { openPostgresDatabase } from '../../src/adapters/db/postgres';
import type { Database } from '../../src/core/ports';
import { createFreshDatabase } from './db-targets';
import { baseTestEnv, buildRequestInit, type Harness, type HarnessDatabase, type HarnessOptions, type RequestOptions } from './harness';
import { pgliteDatabase } from '../../src/adapters/db/pglite';
import { clonePgliteClient } from './pglite-snapshot';

/** The database behind a Node harness: a PGlite clone (default) or a fresh database on the real test PostgreSQL. */
async function openHarnessDatabase(kind: HarnessDatabase): Promise<{ db: Database; query: Harness['query']; dispose(): Promise<void> }> {
  if (kind === 'postgres') {
    const fresh = await createFreshDatabase();
    const db = await openPostgresDatabase(fresh.url);
    const raw = new pg.Client({ connectionString: fresh.url });
    await raw.connect();
    return {
      db,
      query: async (text, params = []) => (await raw.query<Record<string, unknown>>(text, params)).rows,
      async dispose() {
        await Promise.allSettled([db.close(), raw.end()]);
        await fresh.drop();
      },
    };
  }
  const client = await clonePgliteClient();
  const db = await pgliteDatabase(client);
  return { db, query: async (text, params = []) => (await client.query<Record<string, unknown>>(text, params)).rows, dispose: () => db.close() };
}

/**
 * Node: the real Node wiring (src/runtime/node-deps) on a PGlite clone (or, with `database: 'postgres'`, the real
 * PostgreSQL through node-postgres) and the embedded key-value store, served by @hono/node-server on a loopback
 * port. Client addresses travel in X-Forwarded-For from a trusted loopback proxy, exactly as behind a reverse proxy.
 */
export async function createHarness(env: Record<string, string> = {}, options: HarnessOptions = {}): Promise<Harness> {
  const database = await openHarnessDatabase(options.database ?? 'pglite');
  return serveHarness(database, env, options);
}

/**
 * The app with the real Node wiring on `database`, the embedded key-value store and the dev mailbox, served on a
 * loopback port (faulty-db.ts serves its fault-injecting databases through this too). Closing it disposes `database`.
 */
export async function serveHarness(
  database: { db: Database; query: Harness['query']; dispose(): Promise<void> },
  env: Record<string, string>,
  options: Pick<HarnessOptions, 'port' | 'oauthProviders'> = {},
): Promise<Harness> {
  // Mail always lands in the dev mailbox below, so say so: production (NODE_ENV) refuses an implicit dev mailbox.
  const config = loadConfig({ ...baseTestEnv, TRUST_PROXY: 'loopback', MAIL_TRANSPORT: 'dev', ...env }, 'node');
  const clock = createTestClock();
  const kv = await createEmbeddedStore({ clock });
  const mailer = createDevMailbox({ now: () => clock.nowMs() });
  const logs: string[] = [];
  const logger = createJsonLogger('debug', (line) => logs.push(line));
  const deps = await createNodeDeps(config, { db: database.db, kv, clock, mailer, logger, ...(options.oauthProviders ? { oauthProviders: options.oauthProviders } : {}) });
  const app = createApp(deps);
  // With the production server's response class, so the frame's headers take the same path as in `npm start`.
  const server = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: '127.0.0.1', serverOptions: { ServerResponse: frameResponses().ServerResponse } });
  await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())));
  const { port } = server.address() as AddressInfo;
  return {
    runtime: 'node',
    logs,
    baseUrl: `http://127.0.0.1:${port}`,
    clock,
    mailbox: async (to: string) => mailer.list(to),
    query: database.query,
    deps,
    request: (path: string, options: RequestOptions = {}) =>
      fetch(`http://127.0.0.1:${port}${path}`, buildRequestInit(options, 'x-forwarded-for')),
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled([database.dispose(), kv.close()]);
    },
  };
}
