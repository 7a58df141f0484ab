import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

// The embedded store's append-only journal: one line per persisted change, `<checksum> <json>\n`. A line is whole
// only with its newline and a matching checksum, so a record torn by a crash mid-append (or garbage after the last
// record) is recognised and dropped at load; every record before it is kept.

export interface PersistedEntry {
  key: string;
  value: string;
  expiresAtMs: number;
}

/** Each record states the key's whole new state, so replaying one that a snapshot already holds changes nothing. */
export type JournalRecord = ({ op: 'set' } & PersistedEntry) | { op: 'delete'; key: string };

const NEWLINE = 0x0a;
const CHECKSUM_CHARS = 16;

// A torn-write detector, not a security control: SHA-256 (node:crypto) cut to 64 bits.
function checksum(body: string): string {
  return createHash('sha256').update(body).digest('hex').slice(0, CHECKSUM_CHARS);
}

export function encodeRecord(record: JournalRecord): string {
  const body = JSON.stringify(record.op === 'set' ? ['s', record.key, record.value, record.expiresAtMs] : ['d', record.key]);
  return `${checksum(body)} ${body}\n`;
}

export interface ParsedJournal {
  records: JournalRecord[];
  /** Bytes up to the end of the last whole record: what an append may follow. */
  validBytes: number;
  /** Lines dropped: torn, damaged or unknown. */
  dropped: number;
}

export function parseJournal(bytes: Buffer): ParsedJournal {
  const records: JournalRecord[] = [];
  let validBytes = 0;
  let dropped = 0;
  for (let start = 0; start < bytes.length; ) {
    const end = bytes.indexOf(NEWLINE, start);
    if (end === -1) {
      dropped += 1; // the last record, torn before its newline
      break;
    }
    const record = decodeLine(bytes.toString('utf8', start, end));
    if (record) {
      records.push(record);
      validBytes = end + 1;
    } else dropped += 1;
    start = end + 1;
  }
  return { records, validBytes, dropped };
}

function decodeLine(line: string): JournalRecord | null {
  if (line.charAt(CHECKSUM_CHARS) !== ' ') return null;
  const body = line.slice(CHECKSUM_CHARS + 1);
  if (checksum(body) !== line.slice(0, CHECKSUM_CHARS)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed)) return null;
  const [op, key, value, expiresAtMs] = parsed as unknown[];
  if (typeof key !== 'string') return null;
  if (op === 'd' && parsed.length === 2) return { op: 'delete', key };
  if (op === 's' && parsed.length === 4 && typeof value === 'string' && typeof expiresAtMs === 'number' && Number.isFinite(expiresAtMs)) {
    return { op: 'set', key, value, expiresAtMs };
  }
  return null;
}

/** The journal file appends go to. `bytes` and `records` count only whole, durable records. */
export interface JournalFile {
  handle: FileHandle;
  generation: number;
  bytes: number;
  records: number;
}

export interface JournalAppender {
  /** Resolves once the line is written and fdatasync'd. Lines that arrive while a write runs share the next one. */
  append(line: string): Promise<void>;
  /** Runs `task` between two writes (none runs meanwhile; those queued after it wait for it). */
  exclusive<T>(task: () => Promise<T>): Promise<T>;
  /** The file appends go to now. */
  current(): JournalFile;
  /** Points later appends at another file; returns the previous one. Call only inside `exclusive`. */
  swap(next: JournalFile): JournalFile;
  /** Resolves once no write is running or queued. */
  idle(): Promise<void>;
}

interface Batch {
  lines: string[];
  done: Promise<void>;
}

export function createAppender(initial: JournalFile, onWritten: () => void): JournalAppender {
  let journal = initial;
  let chain: Promise<unknown> = Promise.resolve();
  let open: Batch | null = null;
  let broken: Error | null = null;

  function enqueue<T>(task: () => Promise<T>): Promise<T> {
    const result = chain.then(task);
    chain = result.catch(() => {});
    return result;
  }

  async function write(batch: Batch): Promise<void> {
    if (open === batch) open = null; // later lines start the next batch (group commit)
    if (broken) throw broken;
    const target = journal;
    const data = Buffer.from(batch.lines.join(''), 'utf8');
    try {
      for (let offset = 0; offset < data.length; ) {
        const { bytesWritten } = await target.handle.write(data, offset, data.length - offset);
        offset += bytesWritten;
      }
      await target.handle.datasync();
    } catch (error) {
      // Cut a half-written batch off, so that the next record does not follow a torn one; if even that fails, the
      // journal accepts nothing more (every later write fails) rather than acknowledge what a restart would drop.
      await target.handle
        .truncate(target.bytes)
        .then(() => target.handle.datasync())
        .catch(() => {
          broken = new Error('the embedded key-value journal could not be repaired after a failed write', { cause: error });
        });
      throw error;
    }
    target.bytes += data.length;
    target.records += batch.lines.length;
    onWritten();
  }

  return {
    append(line) {
      if (!open) {
        const batch: Batch = { lines: [], done: Promise.resolve() };
        batch.done = enqueue(() => write(batch));
        open = batch;
      }
      open.lines.push(line);
      return open.done;
    },
    exclusive: enqueue,
    current: () => journal,
    swap(next) {
      const previous = journal;
      journal = next;
      return previous;
    },
    async idle() {
      for (let seen = chain; ; seen = chain) {
        await seen;
        if (seen === chain) return;
      }
    },
  };
}
