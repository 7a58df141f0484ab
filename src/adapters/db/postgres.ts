// Node only: Postgres over TCP with node-postgres.
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import type { Database } from '../../core/ports';
import { transactionRunner, type BatchRunner } from './atomic';
import { createDatabase } from './database';
import { isUnavailable } from './unavailable';
import { runPostgresMigrations } from './migrate';
import { preparingClient } from './pg-prepared';
import { statementNames } from './statement-names';

export interface PostgresOptions {
  /** Apply pending migrations before returning (default true: a Node start brings its schema up to date). */
  migrate?: boolean;
  /** Told about errors of idle pooled connections (e.g. the server restarted); the pool replaces them. */
  onIdleError?: (error: Error) => void;
  /** Told once when the connection path refuses prepared statements (a pooler in transaction mode; pg-prepared.ts). */
  onPreparedRefused?: (error: Error) => void;
}

/**
 * Every request's statements are bounded, so a database that is down or stopped answering costs a request a 503
 * within 5 s, never a hung request: connecting gives up after 2 s, the server cancels a statement after 4 s, and the
 * client stops waiting for an answer after 4.5 s (a server or link that went silent cannot cancel anything).
 */
export const POSTGRES_TIMEOUTS = { connectionTimeoutMillis: 2000, statement_timeout: 4000, query_timeout: 4500 } as const;

export async function openPostgresDatabase(url: string, options: PostgresOptions = {}): Promise<Database> {
  if (options.migrate ?? true) {
    // Migrations get their own connection without statement deadlines: an index build may take long, and a second
    // instance waits on the first one's migration lock.
    const migrations = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: POSTGRES_TIMEOUTS.connectionTimeoutMillis });
    try {
      await runPostgresMigrations(migrations);
    } finally {
      await migrations.end();
    }
  }
  // Statements are prepared per connection and named per text (pg-prepared.ts): PostgreSQL plans each one once.
  const pool = new pg.Pool({ connectionString: url, ...POSTGRES_TIMEOUTS, Client: preparingClient(statementNames(), options.onPreparedRefused) });
  // Without a listener an idle connection's error would crash the process; the next query reconnects instead.
  pool.on('error', (error) => options.onIdleError?.(error));
  return postgresDatabase(pool);
}

/** Wraps an already migrated pool; closing the Database ends the pool (tests pass one that fails a chosen statement). */
export function postgresDatabase(pool: pg.Pool): Database {
  return createDatabase(drizzle({ client: pool }), 'postgres', () => pool.end(), poolTransactionRunner(pool));
}

/**
 * An atomic batch on a connection of its own. drizzle's transaction on a pool sends BEGIN before its try block, so a
 * BEGIN that fails (the server went away) would never give the connection back: the pool would shrink by one per
 * outage and `pool.end()` would wait forever. Here the connection always goes back, and one that failed with a
 * connection error is destroyed rather than reused.
 */
function poolTransactionRunner(pool: pg.Pool): BatchRunner {
  return async (statements) => {
    const client = await pool.connect();
    let failure: unknown;
    try {
      return await transactionRunner(drizzle({ client }))(statements);
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      client.release(failure !== undefined && isUnavailable(failure) ? (failure as Error) : undefined);
    }
  };
}
