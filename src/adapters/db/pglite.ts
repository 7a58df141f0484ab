// Node only: the embedded database of `npm start` with nothing configured.
import { mkdir } from 'node:fs/promises';
import { PGlite, types } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import type { Database } from '../../core/ports';
import { createDatabase } from './database';
import { runPgliteMigrations } from './migrate';
import { cacheUserRows } from './user-row-cache';

export interface PgliteOptions {
  /** Directory of the database files (DATA_DIR); in memory when undefined. */
  dataDir?: string;
  /** A dumpDataDir() tarball to start from (tests clone a migrated database this way). */
  loadDataDir?: Blob | File;
}

/**
 * The types drizzle's PGlite driver reads as text: it passes these parsers with every statement, and PGlite then
 * copies its whole parser table (several hundred types) into a new object per statement to lay them over it, about a
 * tenth of the event loop's time for a login (a CPU profile of the hash-ceiling bench). A client given them once
 * (`readsTimestampsAsText`) parses the same way without that copy (`parsersOnce`).
 */
const TEXT_TYPES = [types.TIMESTAMP, types.TIMESTAMPTZ, types.INTERVAL, types.DATE, 1231, 1115, 1185, 1187, 1182];
const asText = (value: string): string => value;
const SAMPLE = '2026-01-01 00:00:00+00';

/** Opens (creating if needed) the embedded database and brings its schema up to date. */
export async function openPgliteDatabase(options: PgliteOptions = {}): Promise<Database> {
  if (options.dataDir !== undefined) await mkdir(options.dataDir, { recursive: true });
  const client = await PGlite.create({
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    ...(options.loadDataDir === undefined ? {} : { loadDataDir: options.loadDataDir }),
  });
  return pgliteDatabase(readsTimestampsAsText(client));
}

/**
 * Sets the client's own parsers for TEXT_TYPES to text, as drizzle's are; its raw reads of those types then get text
 * too. After creation: PGlite sets the array types' parsers (three of TEXT_TYPES) while it starts.
 */
export function readsTimestampsAsText(client: PGlite): PGlite {
  for (const type of TEXT_TYPES) client.parsers[type] = asText;
  return client;
}

/** PGlite's own `query` options, as drizzle passes them. */
interface QueryOptions {
  parsers?: Record<number, unknown>;
  [option: string]: unknown;
}

/**
 * The client drizzle runs on: while the client itself reads TEXT_TYPES as text (`readsTimestampsAsText`), a statement's
 * parsers that only say the same (text in, the same text out, for those types alone) are dropped before
 * PGlite sees them. Any other client (a test's clone, whose raw reads get Dates) or parser goes through as given.
 */
export function parsersOnce(client: PGlite): PGlite {
  const query = client.query.bind(client) as (text: string, params?: unknown[], options?: QueryOptions) => Promise<unknown>;
  const sameAsClient = (parsers: Record<number, unknown>) =>
    TEXT_TYPES.every((type) => client.parsers[type] === asText) &&
    Object.entries(parsers).every(([type, parser]) => TEXT_TYPES.includes(Number(type)) && typeof parser === 'function' && parser(SAMPLE) === SAMPLE);
  return new Proxy(client, {
    get(target, property) {
      if (property === 'query') {
        return (text: string, params?: unknown[], options?: QueryOptions) => {
          if (!options?.parsers || !sameAsClient(options.parsers)) return query(text, params, options);
          const { parsers: _same, ...rest } = options;
          return query(text, params, rest);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Migrates an already open PGlite and wraps it; closing the Database closes the client. */
export async function pgliteDatabase(client: PGlite): Promise<Database> {
  try {
    await runPgliteMigrations(client);
  } catch (error) {
    await client.close();
    throw error;
  }
  const cached = cacheUserRows(parsersOnce(client));
  return createDatabase(drizzle({ client: cached.client }), 'pglite', () => client.close(), undefined, cached.cache);
}
