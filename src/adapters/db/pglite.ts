// Node only: the embedded database of `npm start` with nothing configured.
import { chmod, mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import type { Database } from '../../core/ports';
import { createDatabase } from './database';
import { runPgliteMigrations } from './migrate';
import { drizzleClient, readsTimestampsAsText } from './pglite-client';
import { copyTemplate, ensureTemplate, holdsDatabase } from './pglite-template';
import { cacheUserRows } from './user-row-cache';

export interface PgliteOptions {
  /** Directory of the database files (DATA_DIR); in memory when undefined. */
  dataDir?: string;
  /** A dumpDataDir() tarball to start from (tests clone a migrated database this way). */
  loadDataDir?: Blob | File;
  /**
   * Where a new `dataDir` is copied from (pglite-template.ts): the folder of the migrated templates, the template
   * made there first if missing. Without it, or when that fails, the database is created in place.
   */
  templateRoot?: string;
  /** One line per step worth telling (the template being made, a template that could not be used). */
  progress?: (line: string) => void;
}

/** Opens (creating if needed) the embedded database and brings its schema up to date. */
export async function openPgliteDatabase(options: PgliteOptions = {}): Promise<Database> {
  if (options.dataDir !== undefined) {
    if (options.templateRoot !== undefined && options.loadDataDir === undefined && !holdsDatabase(options.dataDir)) {
      await copyFromTemplate(options.dataDir, options.templateRoot, options.progress ?? (() => {}));
    }
    await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
    await ownerOnly(options.dataDir);
  }
  const client = await PGlite.create({
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    ...(options.loadDataDir === undefined ? {} : { loadDataDir: options.loadDataDir }),
  });
  return pgliteDatabase(readsTimestampsAsText(client));
}

/**
 * PGlite (Emscripten's file system) writes the database's files readable and writable by everyone (0666). The folder
 * holding them is ours alone, so no other account on the machine reaches them: password hashes, sessions, roles.
 * Best effort where the file system has no such modes.
 */
async function ownerOnly(dir: string): Promise<void> {
  await chmod(dir, 0o700).catch(() => undefined);
}

async function copyFromTemplate(dataDir: string, root: string, progress: (line: string) => void): Promise<void> {
  try {
    const making = () => progress(`making the embedded database's template (once per PGlite version and set of migrations) in ${root}`);
    copyTemplate(await ensureTemplate(root, making), dataDir);
  } catch (error) {
    // A read-only or full disk: the database is created in place, as it would be without a template.
    progress(`no database template (${error instanceof Error ? error.message : String(error)}); creating the database in place`);
  }
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
