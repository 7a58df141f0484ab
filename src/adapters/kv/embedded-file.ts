import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

// The embedded store's file: denylist entries and one-time codes must outlive a restart (a revoked token stays
// revoked, a spent code stays spent), so every change is on disk before the call that made it resolves.

export interface PersistedEntry {
  key: string;
  value: string;
  expiresAtMs: number;
}

const FORMAT_VERSION = 1;

/** Entries still alive at `nowMs`; none when the file does not exist yet. A damaged file is an error, not a reset. */
export async function loadEntries(file: string, nowMs: number): Promise<PersistedEntry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`key-value file ${file} is not valid JSON; move it away to start empty`);
  }
  if (!isSnapshot(parsed)) throw new Error(`key-value file ${file} has an unknown format; move it away to start empty`);
  return parsed.entries.filter((entry) => entry.expiresAtMs > nowMs);
}

export interface SnapshotWriter {
  /** Resolves once a snapshot taken after this call is on disk. */
  save(): Promise<void>;
  /** Resolves once no write is running or waiting. */
  idle(): Promise<void>;
}

/** Writes whole snapshots, one at a time; changes made while a write runs share the next one. */
export function createSnapshotWriter(file: string, snapshot: () => PersistedEntry[]): SnapshotWriter {
  let running: Promise<void> | null = null;
  let next: Promise<void> | null = null;
  let tmpCounter = 0;

  function start(): Promise<void> {
    const text = JSON.stringify({ version: FORMAT_VERSION, entries: snapshot() });
    const write = writeAtomically(file, `${file}.${process.pid}.${++tmpCounter}.tmp`, text).finally(() => {
      if (running === write) running = null;
    });
    running = write;
    return write;
  }

  return {
    save() {
      if (next) return next;
      if (!running) return start();
      next = running
        .catch(() => {})
        .then(() => {
          next = null;
          return start();
        });
      return next;
    },
    async idle() {
      await (next ?? running)?.catch(() => {});
    },
  };
}

// Temp file + fsync + rename: a crash leaves either the old snapshot or the new one, never half of one.
async function writeAtomically(file: string, tmp: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const handle = await open(tmp, 'w', 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, file);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

function isSnapshot(value: unknown): value is { version: number; entries: PersistedEntry[] } {
  if (typeof value !== 'object' || value === null) return false;
  const { version, entries } = value as { version?: unknown; entries?: unknown };
  return version === FORMAT_VERSION && Array.isArray(entries) && entries.every(isEntry);
}

function isEntry(value: unknown): value is PersistedEntry {
  if (typeof value !== 'object' || value === null) return false;
  const { key, value: v, expiresAtMs } = value as Record<string, unknown>;
  return typeof key === 'string' && typeof v === 'string' && typeof expiresAtMs === 'number' && Number.isFinite(expiresAtMs);
}
