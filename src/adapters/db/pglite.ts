// Node only: the embedded database of `npm start` with nothing configured.
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import type { Database } from '../../core/ports';
import { createDatabase } from './database';
import { runPgliteMigrations } from './migrate';
import { drizzleClient, readsTimestampsAsText } from './pglite-client';
import { cacheUserRows } from './user-row-cache';

export interface PgliteOptions {
  /** Directory of the database files (DATA_DIR); in memory when undefined. */
  dataDir?: string;
  /** A dumpDataDir() tarball to start from (tests clone a migrated database this way). */
  loadDataDir?: Blob | File;
}

/** Opens (creating if needed) the embedded database and brings its schema up to date. */
export async function openPgliteDatabase(options: PgliteOptions = {}): Promise<Database> {
  if (options.dataDir !== undefined) await mkdir(options.dataDir, { recursive: true });
  const client = await PGlite.create({
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    ...(options.loadDataDir === undefined ? {} : { loadDataDir: options.loadDataDir }),
  });
  return pgliteDatabase(readsTimestampsAsText(client));
}

/** Migrates an already open PGlite and wraps it; closing the Database closes the client. */
export async function pgliteDatabase(client: PGlite): Promise<Database> {
  try {
    await runPgliteMigrations(client);
  } catch (error) {
    await client.close();
    throw error;
  }
  const cached = cacheUserRows(drizzleClient(client));
  return createDatabase(drizzle({ client: cached.client }), 'pglite', () => client.close(), undefined, cached.cache);
}
