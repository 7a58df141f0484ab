import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createAppender, encodeRecord, type JournalFile, type PersistedEntry, parseJournal } from './embedded-journal';

export type { PersistedEntry } from './embedded-journal';

// The embedded store's files: denylist entries and one-time codes must outlive a restart (a revoked token stays
// revoked, a spent code stays spent), so every change is on disk before the call that made it resolves.
//
// `kv.json` is a snapshot naming the journal generation that follows it; `kv.journal.<generation>` files hold the
// changes since, one appended record each (embedded-journal.ts), so a write costs the same however many entries live.
// Compaction starts a new journal, writes a new snapshot beside the old one, renames it over it and only then removes
// the journals it replaces. A crash at any point leaves files that load to every acknowledged change:
//   - before the rename: the old snapshot + the old journal + the new one (replayed in order);
//   - after it: the new snapshot + the new journal (older journals are ignored, then removed).

const FORMAT_VERSION = 2;
/** Below this the journal is never compacted: replaying it at start costs less than rewriting the snapshot. */
const DEFAULT_COMPACT_MIN_BYTES = 1024 * 1024;

export type CompactionStep = 'journal-rotated' | 'snapshot-synced' | 'snapshot-renamed' | 'old-journals-removed';

export interface PersistenceOptions {
  /** Every live persisted entry, for a snapshot. */
  snapshot(): PersistedEntry[];
  /** How many persisted entries live (expired ones not yet dropped may count). */
  liveCount(): number;
  /** Compacts once the journal has this many bytes and more than twice as many records as live entries. */
  compactMinBytes?: number;
  /** For tests: awaited after each compaction step (a crash-safety test copies the files there). */
  onCompactionStep?: (step: CompactionStep) => void | Promise<void>;
}

export interface EmbeddedPersistence {
  /** Resolve once the change is durable. */
  set(entry: PersistedEntry): Promise<void>;
  delete(key: string): Promise<void>;
  /** Waits for queued writes, then writes one snapshot (a clean start replays nothing) and closes the files. */
  close(): Promise<void>;
}

export interface LoadedFiles {
  entries: PersistedEntry[];
  open(options: PersistenceOptions): Promise<EmbeddedPersistence>;
}

interface JournalName {
  generation: number;
  path: string;
}

const journalStem = (file: string) => file.replace(/\.json$/, '');
const journalPath = (file: string, generation: number) => `${journalStem(file)}.journal.${generation}`;

/** Reads the snapshot and replays the journals; entries still alive at `nowMs`. A damaged snapshot is an error. */
export async function loadFiles(file: string, nowMs: number): Promise<LoadedFiles> {
  const dir = dirname(file);
  await mkdir(dir, { recursive: true });
  const snapshot = await readSnapshot(file);
  const journals = await listJournals(file);
  const state = new Map<string, PersistedEntry>();
  for (const entry of snapshot.entries) if (entry.expiresAtMs > nowMs) state.set(entry.key, entry);

  const current = journals.filter((journal) => journal.generation >= snapshot.generation);
  let last = { generation: snapshot.generation, records: 0, validBytes: 0, exists: false };
  for (const journal of current) {
    const parsed = parseJournal(await readFile(journal.path));
    for (const record of parsed.records) {
      if (record.op === 'set' && record.expiresAtMs > nowMs) state.set(record.key, record);
      else state.delete(record.key);
    }
    last = { generation: journal.generation, records: parsed.records.length, validBytes: parsed.validBytes, exists: true };
  }
  // Journals a renamed snapshot already holds (a crash before compaction removed them), and its unfinished temp files.
  await removeJournalsBefore(file, snapshot.generation, journals);
  const tmpPrefix = `${basename(file)}.`;
  for (const name of await readdir(dir)) if (name.startsWith(tmpPrefix) && name.endsWith('.tmp')) await rm(join(dir, name), { force: true });

  return {
    entries: [...state.values()],
    async open(options) {
      const handle = await open(journalPath(file, last.generation), 'a', 0o600);
      // A torn tail is cut off, so the next record starts on a line of its own.
      if ((await handle.stat()).size !== last.validBytes) {
        await handle.truncate(last.validBytes);
        await handle.datasync();
      }
      if (!last.exists) await syncDirectory(dir);
      const journal: JournalFile = { handle, generation: last.generation, bytes: last.validBytes, records: last.records };
      return openPersistence(file, journal, current.length > 1, options);
    },
  };
}

function openPersistence(file: string, initial: JournalFile, leftovers: boolean, options: PersistenceOptions): EmbeddedPersistence {
  const dir = dirname(file);
  const minBytes = options.compactMinBytes ?? DEFAULT_COMPACT_MIN_BYTES;
  const step = async (name: CompactionStep) => options.onCompactionStep?.(name);
  let compacting: Promise<void> | null = null;
  let closed = false;
  let stale = leftovers; // journals older than the active one still on disk

  const appender = createAppender(initial, maybeCompact);

  function maybeCompact(): void {
    const journal = appender.current();
    if (compacting || closed || journal.bytes < minBytes || journal.records <= 2 * options.liveCount()) return;
    compacting = compact()
      .catch(() => {}) // the files still load to the same state; the next trigger tries again
      .finally(() => {
        compacting = null;
      });
  }

  async function compact(): Promise<void> {
    // Between two writes: later changes go to the new journal, the snapshot holds everything before them.
    const { entries, generation, previous } = await appender.exclusive(async () => {
      const entries = options.snapshot();
      const generation = appender.current().generation + 1;
      const handle = await open(journalPath(file, generation), 'a', 0o600);
      await syncDirectory(dir).catch(async (error: unknown) => {
        await handle.close();
        throw error;
      });
      stale = true;
      return { entries, generation, previous: appender.swap({ handle, generation, bytes: 0, records: 0 }) };
    });
    await previous.handle.close();
    await step('journal-rotated');
    await writeSnapshot(file, generation, entries, step);
    await removeJournalsBefore(file, generation, await listJournals(file));
    stale = false;
    await step('old-journals-removed');
  }

  return {
    set: (entry) => appender.append(encodeRecord({ op: 'set', ...entry })),
    delete: (key) => appender.append(encodeRecord({ op: 'delete', key })),
    async close() {
      closed = true;
      await compacting;
      await appender.idle();
      const journal = appender.current();
      try {
        if (journal.records === 0 && !stale) return;
        const generation = journal.generation + 1;
        await writeSnapshot(file, generation, options.snapshot(), async () => {});
        await removeJournalsBefore(file, generation, await listJournals(file));
      } finally {
        await journal.handle.close();
      }
    },
  };
}

async function readSnapshot(file: string): Promise<{ generation: number; entries: PersistedEntry[] }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { generation: 0, entries: [] };
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Only ever written whole (temp file, fsync, rename): this is not a crash of ours, and starting empty would
    // forget revocations.
    throw new Error(`key-value file ${file} is not valid JSON; move it away to start empty`);
  }
  if (!isSnapshot(parsed)) throw new Error(`key-value file ${file} has an unknown format; move it away to start empty`);
  // Version 1 (a whole-file rewrite on every change) had no journal: generation 0 follows it.
  return { generation: parsed.version === 1 ? 0 : parsed.journal!, entries: parsed.entries };
}

// Temp file + fsync + rename + directory fsync: a crash leaves either the old snapshot or the new one, never half.
async function writeSnapshot(file: string, generation: number, entries: PersistedEntry[], step: (name: CompactionStep) => Promise<void>) {
  const tmp = `${file}.${process.pid}.${generation}.tmp`;
  const handle = await open(tmp, 'w', 0o600);
  try {
    await handle.writeFile(JSON.stringify({ version: FORMAT_VERSION, journal: generation, entries }), 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await step('snapshot-synced');
    await rename(tmp, file);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  await syncDirectory(dirname(file));
  await step('snapshot-renamed');
}

async function listJournals(file: string): Promise<JournalName[]> {
  const dir = dirname(file);
  const prefix = `${basename(journalStem(file))}.journal.`;
  const journals: JournalName[] = [];
  for (const name of await readdir(dir)) {
    const suffix = name.startsWith(prefix) ? name.slice(prefix.length) : '';
    if (/^\d{1,15}$/.test(suffix)) journals.push({ generation: Number(suffix), path: join(dir, name) });
  }
  return journals.sort((a, b) => a.generation - b.generation);
}

async function removeJournalsBefore(file: string, generation: number, journals: JournalName[]): Promise<void> {
  for (const journal of journals) if (journal.generation < generation) await rm(journal.path, { force: true });
}

/** Makes a create, rename or remove in `dir` durable (Linux, macOS); a platform that cannot open a directory skips it. */
async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
  } catch (error) {
    if (['EISDIR', 'EPERM', 'EACCES'].includes((error as NodeJS.ErrnoException).code ?? '')) return;
    throw error;
  }
  try {
    await handle.sync();
  } catch (error) {
    if (!['EINVAL', 'EBADF', 'EPERM'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    await handle.close();
  }
}

function isSnapshot(value: unknown): value is { version: number; journal?: number; entries: PersistedEntry[] } {
  if (typeof value !== 'object' || value === null) return false;
  const { version, journal, entries } = value as { version?: unknown; journal?: unknown; entries?: unknown };
  const known = version === 1 || (version === FORMAT_VERSION && Number.isSafeInteger(journal) && (journal as number) >= 0);
  return known && Array.isArray(entries) && entries.every(isEntry);
}

function isEntry(value: unknown): value is PersistedEntry {
  if (typeof value !== 'object' || value === null) return false;
  const { key, value: v, expiresAtMs } = value as Record<string, unknown>;
  return typeof key === 'string' && typeof v === 'string' && typeof expiresAtMs === 'number' && Number.isFinite(expiresAtMs);
}
