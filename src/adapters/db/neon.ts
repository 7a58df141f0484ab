// Runs inside workerd: no node:* imports here or in anything this imports. Never migrates (`npm run db:migrate`).
import type { NeonQueryFunction } from '@neondatabase/serverless';
import { drizzle } from 'drizzle-orm/neon-http';
import type { BatchRunner } from './atomic';
import type { Database } from '../../core/ports';
import { createDatabase } from './database';
import { neonHttp } from './neon-http';
import { rowsOf, type Db } from './rows';

/**
 * Neon's SQL-over-HTTP endpoint: one HTTP request per statement and no interactive transactions, which is why
 * every repository operation is a single statement, and an atomic batch is one request that Neon runs as one
 * transaction (the driver's `transaction([...])`, drizzle's `batch`).
 */
export function openNeonDatabase(url: string): Database {
  return neonDatabase(neonHttp(url));
}

/** Wraps a Neon HTTP client (tests pass one that fails a chosen statement). */
export function neonDatabase(client: NeonQueryFunction<false, false>): Database {
  const db = drizzle({ client });
  const runBatch: BatchRunner = async (statements) => {
    if (statements.length === 0) return [];
    const queries = statements.map((statement) => db.execute(statement));
    const results: unknown[] = await db.batch(queries as [(typeof queries)[number], ...typeof queries]);
    return results.map(rowsOf);
  };
  // Nothing to close: there is no connection, only fetches.
  return createDatabase(db as unknown as Db, 'neon', async () => {}, runBatch);
}
