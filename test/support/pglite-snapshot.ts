// A fresh PGlite costs seconds (initdb inside WASM) and a lot of memory; a migrated database dumped once per
// process and loaded per test suite costs a fraction of that and still gives every suite its own database.
import { PGlite } from '@electric-sql/pglite';
import type { Database } from '../../src/core/ports';
import { runPgliteMigrations } from '../../src/adapters/db/migrate';
import { openPgliteDatabase } from '../../src/adapters/db/pglite';

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

/** An in-memory PGlite database with the current schema, independent of every other clone. */
export async function clonePgliteDatabase(): Promise<Database> {
  snapshot ??= migratedSnapshot();
  // A failed first attempt is not cached: the next caller tries again.
  const tarball = await snapshot.catch((error: unknown) => {
    snapshot = undefined;
    throw error;
  });
  return openPgliteDatabase({ loadDataDir: tarball });
}
