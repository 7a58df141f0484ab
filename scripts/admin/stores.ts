import { type Config, ConfigError } from '../../src/config';
import { createJsonLogger } from '../../src/core/logger';
import type { AppDeps } from '../../src/http/env';
import { systemClock } from '../../src/runtime/assemble';
import { createNodeDeps } from '../../src/runtime/node-deps';
import { holdDataDirLock } from '../../src/runtime/node-lock';
import { openDatabase, openKeyValue, usesDataDir } from '../../src/runtime/node-stores';
import { CliError } from './cli-error';

// The same stores the server opens for these settings (DATABASE_URL or DATA_DIR's PGlite; REDIS_URL, Upstash or
// DATA_DIR's kv.json), so a revocation lands in the denylist the server reads. A store that cannot be opened is the
// server's own one-line error naming the setting.

export interface CliStores {
  deps: AppDeps;
  close(): Promise<void>;
}

/**
 * PGlite is single-process: two processes opening one DATA_DIR/pglite each see their own copy of the database and
 * overwrite each other's files (it has no postmaster.pid; we tried). So the CLI takes the lock a running server holds
 * (DATA_DIR/.lock, released when the CLI exits), and a live holder stops it before anything is opened.
 */
function holdDataDir(config: Config): void {
  try {
    holdDataDirLock(config.dataDir);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new CliError(`${error.message} (the embedded database, PGlite, serves one process at a time: run this while the server is stopped)`);
  }
}

export async function openStores(config: Config): Promise<CliStores> {
  if (usesDataDir(config)) holdDataDir(config);
  const kv = await openKeyValue(config, systemClock);
  const db = await openDatabase(config).catch(async (error: unknown) => {
    await kv.close();
    throw error;
  });
  const logger = createJsonLogger('warn', (line) => process.stderr.write(`${line}\n`));
  return {
    deps: await createNodeDeps(config, { db, kv, logger }),
    close: async () => void (await Promise.allSettled([db.close(), kv.close()])),
  };
}
