// Fault injection for the database drivers (test support only, nothing in src/ knows about it): a wrapper around
// each driver's client counts the statements it sends and fails the Nth one the way an outage does. node-postgres
// and PGlite fail it on the client with a connection error (SQLSTATE 08006) inside the open transaction, so the
// driver rolls back what ran before it; Neon HTTP fails a single statement as a lost request ("fetch failed") and,
// inside a batch, replaces the Nth statement with one that raises 08006 on the server, so the real PostgreSQL behind
// the bridge runs the statements before it and then rolls the whole batch back.
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { runNeonMigrations, runPostgresMigrations } from '../../src/adapters/db/migrate';
import { neonDatabase } from '../../src/adapters/db/neon';
import { neonHttp } from '../../src/adapters/db/neon-http';
import { pgliteDatabase } from '../../src/adapters/db/pglite';
import { postgresDatabase } from '../../src/adapters/db/postgres';
import type { Database, OAuthProvider } from '../../src/core/ports';
import { createFreshDatabase, openNeonBridge, testServerUrl } from './db-targets';
import type { Harness } from './harness';
import { serveHarness } from './harness-node';
import { clonePgliteClient } from './pglite-snapshot';

/** Which statement fails next, counted from the last `failNth`. */
export class Faults {
  private nth: number | null = null;
  private seen = 0;
  /** Whether the chosen statement was reached (and failed) since the last `failNth`. */
  injected = false;

  /** Fails the `n`th statement sent from now on (1-based); null: none. */
  failNth(n: number | null): void {
    this.nth = n;
    this.seen = 0;
    this.injected = false;
  }

  /** Statements sent since the last `failNth`. */
  get counted(): number {
    return this.seen;
  }

  /** Counts `k` statements sent together; the index among them that must fail, or -1. */
  take(k = 1): number {
    const first = this.seen + 1;
    this.seen += k;
    if (this.nth === null || this.injected || this.nth < first || this.nth > this.seen) return -1;
    this.injected = true;
    return this.nth - first;
  }
}

const INJECTED = 'Connection terminated unexpectedly (injected fault)';
const injectedError = () => Object.assign(new Error(INJECTED), { code: '08006' });
/** Raises what a dropped connection raises, from inside the server's transaction. */
const FAILING_STATEMENT = `do $$ begin raise exception '${INJECTED}' using errcode = '08006'; end $$`;

export type FaultyKind = 'pglite' | 'postgres' | 'neon';

export interface FaultyDatabase {
  db: Database;
  faults: Faults;
  /** Raw SQL beside the wrapper (never fails): what is stored. */
  query(text: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  dispose(): Promise<void>;
}

/**
 * A named statement's run (src/adapters/db/pglite-client.ts): an execProtocolRawStream exchange that begins with a
 * Bind ('B'). Preparing one (Parse, Describe) writes nothing and is not counted.
 */
const runsStatement = (message: unknown) => message instanceof Uint8Array && message[0] === 0x42;

/** PGlite: every query of the client and of its transactions goes through the proxy, and every named statement run. */
function faultyPglite(client: PGlite, faults: Faults): PGlite {
  const guard = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(object, property) {
        const value: unknown = Reflect.get(object, property, object);
        if (typeof value !== 'function') return value;
        if (property === 'query' || property === 'exec' || property === 'execProtocolRawStream') {
          return async (...args: unknown[]) => {
            if ((property !== 'execProtocolRawStream' || runsStatement(args[0])) && faults.take() >= 0) throw injectedError();
            return (value as (...a: unknown[]) => unknown).apply(object, args);
          };
        }
        if (property === 'transaction') {
          return (callback: (tx: object) => unknown) => (value as (cb: (tx: object) => unknown) => unknown).call(object, (tx: object) => callback(guard(tx)));
        }
        return (value as (...a: unknown[]) => unknown).bind(object);
      },
    });
  return guard(client);
}

/** node-postgres: every pooled connection's `query` (BEGIN and COMMIT included) counts. */
function faultyPool(url: string, faults: Faults, max?: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, ...(max === undefined ? {} : { max }) });
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      if (faults.take() < 0) return query(...args);
      const callback = args.find((arg) => typeof arg === 'function') as ((error: Error) => void) | undefined;
      if (!callback) return Promise.reject(injectedError());
      queueMicrotask(() => callback(injectedError()));
      return undefined;
    };
  });
  return pool;
}

/** Neon HTTP: the client's fetch, counting `{query}` as one statement and `{queries}` as a batch of them. */
function faultyFetch(faults: Faults): typeof fetch {
  return async (input, init) => {
    const body = JSON.parse(String(init?.body)) as { query?: string; params?: unknown[]; queries?: { query: string; params: unknown[] }[] };
    if (!body.queries) {
      if (faults.take() >= 0) throw new TypeError('fetch failed');
      return fetch(input, init);
    }
    const failing = faults.take(body.queries.length);
    if (failing < 0) return fetch(input, init);
    const queries = body.queries.map((q, index) => (index === failing ? { query: FAILING_STATEMENT, params: [] } : q));
    return fetch(input, { ...init, body: JSON.stringify({ ...body, queries }) });
  };
}

/** `poolSize`: node-postgres only, the pool's connection limit. */
export async function openFaultyDatabase(kind: FaultyKind, options: { poolSize?: number } = {}): Promise<FaultyDatabase> {
  const faults = new Faults();
  if (kind === 'pglite') {
    const client = await clonePgliteClient();
    const db = await pgliteDatabase(faultyPglite(client, faults));
    return { db, faults, query: async (text, params = []) => (await client.query<Record<string, unknown>>(text, params)).rows, dispose: () => db.close() };
  }
  const serverUrl = testServerUrl();
  const bridge = kind === 'neon' ? await openNeonBridge(serverUrl) : undefined;
  const fresh = await createFreshDatabase(serverUrl);
  let db: Database;
  if (bridge) {
    const url = bridge.urlFor(fresh.name);
    await runNeonMigrations(url);
    db = neonDatabase(neonHttp(url, { fetch: faultyFetch(faults) }));
  } else {
    const pool = faultyPool(fresh.url, faults, options.poolSize);
    await runPostgresMigrations(pool);
    db = postgresDatabase(pool);
  }
  const raw = new pg.Client({ connectionString: fresh.url });
  await raw.connect();
  return {
    db,
    faults,
    query: async (text, params = []) => (await raw.query<Record<string, unknown>>(text, params)).rows,
    async dispose() {
      await Promise.allSettled([db.close(), raw.end()]);
      await bridge?.close();
      await fresh.drop();
    },
  };
}

export interface FaultyHarness extends Harness {
  faults: Faults;
}

/** The Node wiring of test/support/harness-node.ts on a database whose statements can be made to fail. */
export async function createFaultyHarness(kind: FaultyKind, env: Record<string, string> = {}, oauthProviders?: OAuthProvider[]): Promise<FaultyHarness> {
  const database = await openFaultyDatabase(kind);
  const harness = await serveHarness(database, env, oauthProviders ? { oauthProviders } : {});
  return { ...harness, faults: database.faults };
}
