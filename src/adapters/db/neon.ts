// Runs inside workerd: no node:* imports here or in anything this imports. Never migrates (`npm run db:migrate`).
import { drizzle } from 'drizzle-orm/neon-http';
import type { Database } from '../../core/ports';
import { createDatabase } from './database';
import { neonHttp } from './neon-http';

/**
 * Neon's SQL-over-HTTP endpoint: one HTTP request per statement and no interactive transactions, which is why
 * every repository operation is a single statement.
 */
export function openNeonDatabase(url: string): Database {
  const db = drizzle({ client: neonHttp(url) });
  // Nothing to close: there is no connection, only fetches.
  return createDatabase(db, 'neon', async () => {});
}
