// Runs inside workerd: no node:* imports here or in anything this imports. Never migrates (`npm run db:migrate`).
import { PgDialect } from 'drizzle-orm/pg-core';
import { drizzle } from 'drizzle-orm/pg-proxy';
import type { BatchRunner } from './atomic';
import type { Database } from '../../core/ports';
import { createDatabase } from './database';
import { neonHttp, type NeonHttp } from './neon-http';
import type { Db } from './rows';

/**
 * Neon's SQL-over-HTTP endpoint: one HTTP request per statement and no interactive transactions, which is why
 * every repository operation is a single statement, and an atomic batch is one request that Neon runs as one
 * transaction.
 */
export function openNeonDatabase(url: string): Database {
  return neonDatabase(neonHttp(url));
}

/**
 * drizzle over our Neon client through drizzle's pg-proxy driver, which hands each statement to a callback: typed
 * queries ('all') want rows as value arrays in column order, which drizzle maps to columns as neon-http's driver did
 * (both use the same mapper over array-mode rows); raw statements ('execute') get object rows, as neon-http gave them.
 */
export function neonDrizzle(client: NeonHttp): Db {
  const db = drizzle(async (sql, params, method) =>
    method === 'all' ? { rows: (await client.query(sql, params, { arrayMode: true })).rows } : { rows: (await client.query(sql, params)).rows },
  );
  return db as unknown as Db;
}

/** An atomic batch as one request, `{queries: [...]}`, which Neon runs as one transaction (drizzle's neon-http `batch`). */
export function neonBatchRunner(client: NeonHttp): BatchRunner {
  const dialect = new PgDialect();
  return async (statements) => {
    if (statements.length === 0) return [];
    const results = await client.transaction(statements.map((statement) => dialect.sqlToQuery(statement)));
    return results.map((result) => result.rows);
  };
}

/** Wraps a Neon HTTP client (tests pass one whose fetch fails a chosen statement). */
export function neonDatabase(client: NeonHttp): Database {
  // Nothing to close: there is no connection, only fetches.
  return createDatabase(neonDrizzle(client), 'neon', async () => {}, neonBatchRunner(client));
}
