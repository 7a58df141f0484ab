// The three database drivers as test targets, each on a database of its own: PGlite (a clone of a migrated
// snapshot), node-postgres and Neon HTTP (through the bridge), both on a fresh database of the real test server.
import pg from 'pg';
import { inject } from 'vitest';
import { runNeonMigrations } from '../../src/adapters/db/migrate';
import { openNeonDatabase } from '../../src/adapters/db/neon';
import { pgliteDatabase } from '../../src/adapters/db/pglite';
import { openPostgresDatabase } from '../../src/adapters/db/postgres';
import type { Database } from '../../src/core/ports';
import { startNeonBridge } from '../../scripts/bridges/neon';
import { clonePgliteClient } from './pglite-snapshot';

export interface DbTarget {
  db: Database;
  /** Raw SQL on the same database, for states no port operation creates yet (e.g. a soft-deleted user). */
  exec(text: string, params?: unknown[]): Promise<void>;
  dispose(): Promise<void>;
}

export interface DbTargetFactory {
  kind: Database['kind'];
  open(): Promise<DbTarget>;
}

/** Superuser URL of the test server: from the globalSetup, or TEST_DATABASE_URL when run without it. */
/** One statement on its own short-lived connection to `url`; its rows. */
export async function queryDatabase<T extends Record<string, unknown> = Record<string, unknown>>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}

export function testServerUrl(): string {
  const url = (inject('databaseUrl') as string | undefined) ?? process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('no test PostgreSQL: run through the vitest config or set TEST_DATABASE_URL');
  return url;
}

export interface FreshDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** CREATE DATABASE with a random name on the test server; drop() removes it even with connections left open. */
export async function createFreshDatabase(serverUrl: string = testServerUrl()): Promise<FreshDatabase> {
  const name = `authgate_${crypto.randomUUID().replaceAll('-', '')}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`create database "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: () => admin(`drop database if exists "${name}" with (force)`) };
}

/** A target on a fresh database of the real server, with a raw client beside the driver for `exec`. */
async function onServer(fresh: FreshDatabase, db: Database, closeMore?: () => Promise<void> | undefined): Promise<DbTarget> {
  const raw = new pg.Client({ connectionString: fresh.url });
  await raw.connect();
  return {
    db,
    exec: async (text, params) => void (await raw.query(text, params)),
    async dispose() {
      await Promise.all([db.close(), raw.end()]);
      await closeMore?.();
      await fresh.drop();
    },
  };
}

const pglite: DbTargetFactory = {
  kind: 'pglite',
  async open() {
    // Opened as the server opens its own (drizzle's per-statement parsers dropped); `exec` reads nothing back.
    const client = await clonePgliteClient({ serverParsers: true });
    const db = await pgliteDatabase(client);
    return { db, exec: async (text, params) => void (await client.query(text, params)), dispose: () => db.close() };
  },
};

const postgres: DbTargetFactory = {
  kind: 'postgres',
  async open() {
    const fresh = await createFreshDatabase();
    return onServer(fresh, await openPostgresDatabase(fresh.url));
  },
};

export interface NeonBridgeUrls {
  /** A connection string that reaches `database` on the test server through the bridge (a loopback host). */
  urlFor(database: string): string;
  close(): Promise<void>;
}

/**
 * The Neon bridge in front of the test server: the globalSetup's, shared by everybody, or (a file run without it) one
 * of its own. Its connection strings have a loopback host, which src/adapters/db/neon-http.ts sends to the bridge.
 */
export async function openNeonBridge(serverUrl: string = testServerUrl()): Promise<NeonBridgeUrls> {
  const provided = inject('neonServerUrl') as string | undefined;
  if (provided === undefined) {
    const bridge = await startNeonBridge({ postgresUrl: serverUrl });
    return { urlFor: (database) => bridge.connectionStringFor(database), close: () => bridge.close() };
  }
  return {
    urlFor(database) {
      const url = new URL(provided);
      url.pathname = `/${encodeURIComponent(database)}`;
      return url.toString();
    },
    close: async () => {},
  };
}

const neon: DbTargetFactory = {
  kind: 'neon',
  async open() {
    const serverUrl = testServerUrl();
    const bridge = await openNeonBridge(serverUrl);
    const fresh = await createFreshDatabase(serverUrl);
    const url = bridge.urlFor(fresh.name);
    await runNeonMigrations(url);
    return onServer(fresh, openNeonDatabase(url), () => bridge.close());
  },
};

export const dbTargets: readonly DbTargetFactory[] = [pglite, postgres, neon];
