// The three database drivers as test targets, each on a database of its own: PGlite (a clone of a migrated
// snapshot), node-postgres and Neon HTTP (through the bridge), both on a fresh database of the real test server.
import { neonConfig } from '@neondatabase/serverless';
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
    const client = await clonePgliteClient();
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

const neon: DbTargetFactory = {
  kind: 'neon',
  async open() {
    const serverUrl = testServerUrl();
    // The globalSetup runs one bridge for everybody; a file run on its own starts its own.
    const provided = inject('neonFetchEndpoint') as string | undefined;
    const bridge = provided === undefined ? await startNeonBridge({ postgresUrl: serverUrl }) : undefined;
    neonConfig.fetchEndpoint = provided ?? bridge!.fetchEndpoint;
    const fresh = await createFreshDatabase(serverUrl);
    // The bridge takes user, password and database from the connection string and ignores its host.
    await runNeonMigrations(fresh.url);
    return onServer(fresh, openNeonDatabase(fresh.url), () => bridge?.close());
  },
};

export const dbTargets: readonly DbTargetFactory[] = [pglite, postgres, neon];
