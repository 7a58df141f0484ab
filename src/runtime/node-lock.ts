import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../config';

// One server per DATA_DIR: PGlite and the embedded key-value file belong to the process that opened them, and a second
// one opening them (even just to fail a moment later on the port) changes the live server's database files. The lock
// is DATA_DIR/.lock, created exclusively and holding the pid. A lock whose pid is no longer alive was left by a killed
// server or a restarted machine, and is taken over. (Two servers starting in the same instant over one stale lock
// could both take it; that is not a newcomer's case, and we keep the lock this simple.)

const LOCK_FILE = '.lock';

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes DATA_DIR's lock for this process until it exits; throws a one-line ConfigError naming a live holder's pid. */
export function holdDataDirLock(dataDir: string): void {
  const file = join(dataDir, LOCK_FILE);
  try {
    // A new DATA_DIR is the owner's alone (the database's and the key-value store's files are sensitive).
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new ConfigError(`setting DATA_DIR: cannot create ${dataDir} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      // Removed on every exit, process.exit included; a SIGKILL leaves it behind, stale, for the next start to take.
      process.on('exit', () => {
        if (readPid(file) === process.pid) unlinkSync(file);
      });
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new ConfigError(`setting DATA_DIR: cannot write ${file} (${code ?? 'error'})`);
    }
    const holder = readPid(file);
    // Stale: no pid in it, a dead pid, or our own (an earlier life with the same pid: a container restarted).
    if (holder !== undefined && holder !== process.pid && isAlive(holder)) {
      throw new ConfigError(`setting DATA_DIR: ${dataDir} is in use by another authgate (pid ${holder}); stop that one or give this one its own DATA_DIR`);
    }
    try {
      unlinkSync(file);
    } catch {
      // Someone else removed it first; try again.
    }
  }
  throw new ConfigError(`setting DATA_DIR: could not lock ${dataDir}; if no authgate uses it, remove ${file}`);
}
