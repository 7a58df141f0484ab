// A fresh PGlite costs seconds (initdb inside WASM) and a lot of memory; a migrated database dumped once per
// process and loaded per test suite costs a fraction of that and still gives every suite its own database.
import { PGlite } from '@electric-sql/pglite';
import { runPgliteMigrations } from '../../src/adapters/db/migrate';
import { pgliteDatabase } from '../../src/adapters/db/pglite';
import { readsTimestampsAsText } from '../../src/adapters/db/pglite-client';
import type { Database } from '../../src/core/ports';

let snapshot: Promise<Blob> | undefined;

async function migratedSnapshot(): Promise<Blob> {
  const client = await PGlite.create();
  try {
    await runPgliteMigrations(client);
    return await client.dumpDataDir('none');
  } finally {
    await client.close();
  }
}

/**
 * An in-memory PGlite client holding a migrated database of its own (for tests that also need raw SQL, which reads
 * timestamps as Dates). `serverParsers`: created as the server creates its own (timestamps read as text, as drizzle
 * wants them; raw SQL then reads text too).
 */
export async function clonePgliteClient(options: { serverParsers?: boolean } = {}): Promise<PGlite> {
  snapshot ??= migratedSnapshot();
  // A failed first attempt is not cached: the next caller tries again.
  const tarball = await snapshot.catch((error: unknown) => {
    snapshot = undefined;
    throw error;
  });
  const client = await PGlite.create({ loadDataDir: tarball });
  return options.serverParsers ? readsTimestampsAsText(client) : client;
}

/** An in-memory PGlite database with the current schema, independent of every other clone, opened as the server opens its own. */
export async function clonePgliteDatabase(): Promise<Database> {
  return pgliteDatabase(await clonePgliteClient({ serverParsers: true }));
}
