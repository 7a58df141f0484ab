// Node only: Postgres over TCP with node-postgres.
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import type { Database } from '../../core/ports';
import { createDatabase } from './database';
import { runPostgresMigrations } from './migrate';

export interface PostgresOptions {
  /** Apply pending migrations before returning (default true: a Node start brings its schema up to date). */
  migrate?: boolean;
  /** Told about errors of idle pooled connections (e.g. the server restarted); the pool replaces them. */
  onIdleError?: (error: Error) => void;
}

export async function openPostgresDatabase(url: string, options: PostgresOptions = {}): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url });
  // Without a listener an idle connection's error would crash the process; the next query reconnects instead.
  pool.on('error', (error) => options.onIdleError?.(error));
  try {
    if (options.migrate ?? true) await runPostgresMigrations(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return createDatabase(drizzle({ client: pool }), 'postgres', () => pool.end());
}
