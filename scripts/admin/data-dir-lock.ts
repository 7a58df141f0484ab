import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from './cli-error';

// PGlite is single-process: two processes opening one DATA_DIR/pglite each see their own copy of the database and
// overwrite each other's files (it has no postmaster.pid; we tried). A running server holds DATA_DIR/.lock with its
// pid; the CLI refuses while a live process holds it, and holds it itself while it works, so no server starts then.

const LOCK_FILE = '.lock';

function holderOf(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes DATA_DIR/.lock for this process; returns the release. A live holder is a CliError naming its pid. */
export function holdDataDir(dataDir: string): () => void {
  const file = join(dataDir, LOCK_FILE);
  mkdirSync(dataDir, { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      return () => {
        if (holderOf(file) === process.pid) unlinkSync(file);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new CliError(`cannot write ${file} (${(error as NodeJS.ErrnoException).code})`);
    }
    const holder = holderOf(file);
    if (holder !== undefined && holder !== process.pid && alive(holder)) {
      throw new CliError(
        `DATA_DIR ${dataDir} is in use by a running authgate (pid ${holder}); the embedded database (PGlite) serves one process at a time, so stop that server first`,
      );
    }
    // Left by a process that is gone: take it over.
    try {
      unlinkSync(file);
    } catch {
      // Someone else removed it first.
    }
  }
  throw new CliError(`could not lock ${dataDir}; if no authgate uses it, remove ${file}`);
}
