import type { Clock, KeyValueStore, RateLimitResult } from '../../core/ports';
import { createSnapshotWriter, loadEntries, type PersistedEntry } from './embedded-file';
import { rateLimitNamespace, ttlMsFromSeconds } from './keys';
import { assertWindowArgs, bucketTtlMs, slidingWindowHit, windowBuckets } from './sliding-window';

export interface EmbeddedStoreOptions {
  /** JSON file that keeps `set` entries across restarts; in memory only when absent. */
  file?: string;
  /** Time for TTLs and sliding windows. */
  clock: Clock;
}

interface Entry {
  value: string;
  expiresAtMs: number;
  /** Written with `set` (denylist entries, one-time codes): kept on disk. Counters and rate buckets are not. */
  persisted: boolean;
}

const SWEEP_INTERVAL_MS = 60_000;

/**
 * The zero-configuration store for a single Node process. Every operation runs to completion before the next
 * starts (one event loop, no await between read and write), which is what makes take/increment atomic here.
 */
export async function createEmbeddedStore(options: EmbeddedStoreOptions): Promise<KeyValueStore> {
  const { clock, file } = options;
  const entries = new Map<string, Entry>();
  // The same bucket names as the Redis and Upstash stores, without a deployment prefix (one process, one store).
  const namespace = rateLimitNamespace('');
  let closed = false;

  if (file) {
    for (const entry of await loadEntries(file, clock.nowMs())) {
      entries.set(entry.key, { value: entry.value, expiresAtMs: entry.expiresAtMs, persisted: true });
    }
  }
  const writer = file ? createSnapshotWriter(file, persistedSnapshot) : null;

  function persistedSnapshot(): PersistedEntry[] {
    const nowMs = clock.nowMs();
    const snapshot: PersistedEntry[] = [];
    for (const [key, entry] of entries) {
      if (entry.persisted && entry.expiresAtMs > nowMs) snapshot.push({ key, value: entry.value, expiresAtMs: entry.expiresAtMs });
    }
    return snapshot;
  }

  async function persist(entry: Entry | undefined): Promise<void> {
    if (writer && entry?.persisted) await writer.save();
  }

  function live(key: string): Entry | undefined {
    const entry = entries.get(key);
    if (entry && clock.nowMs() >= entry.expiresAtMs) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  }

  function open(): void {
    if (closed) throw new Error('the embedded key-value store is closed');
  }

  // Expired entries also vanish when touched; the sweep frees the ones nobody asks for again.
  const sweep = setInterval(() => {
    const nowMs = clock.nowMs();
    for (const [key, entry] of entries) if (nowMs >= entry.expiresAtMs) entries.delete(key);
  }, SWEEP_INTERVAL_MS);
  sweep.unref();

  return {
    kind: 'embedded',

    async set(key, value, ttlSeconds) {
      open();
      const entry: Entry = { value, expiresAtMs: clock.nowMs() + ttlMsFromSeconds(ttlSeconds), persisted: true };
      entries.set(key, entry);
      await persist(entry);
    },

    async get(key) {
      open();
      return live(key)?.value ?? null;
    },

    async take(key) {
      open();
      const entry = live(key);
      if (!entry) return null;
      entries.delete(key);
      await persist(entry);
      return entry.value;
    },

    async increment(key, ttlSeconds) {
      open();
      const ttlMs = ttlMsFromSeconds(ttlSeconds);
      const entry = live(key);
      if (!entry) {
        entries.set(key, { value: '1', expiresAtMs: clock.nowMs() + ttlMs, persisted: false });
        return 1;
      }
      // Same refusal as Redis INCR on a value that is not an integer.
      if (!/^-?\d+$/.test(entry.value)) throw new Error('value is not an integer or out of range');
      const count = Number(entry.value) + 1;
      entry.value = String(count);
      await persist(entry);
      return count;
    },

    async delete(key) {
      open();
      const entry = entries.get(key);
      entries.delete(key);
      await persist(entry);
    },

    async existsAny(keys) {
      open();
      return keys.some((key) => live(key) !== undefined);
    },

    async hitSlidingWindow(key, limit, windowSeconds): Promise<RateLimitResult> {
      open();
      assertWindowArgs(limit, windowSeconds);
      const nowMs = clock.nowMs();
      const buckets = windowBuckets(namespace, key, nowMs, windowSeconds);
      const current = live(buckets.currentKey);
      const currentCount = Number(current?.value ?? 0);
      const previousCount = Number(live(buckets.previousKey)?.value ?? 0);
      const { windowMs } = buckets;
      const decision = slidingWindowHit({ limit, currentCount, previousCount, nowMs, windowMs });
      // Refused hits count too (API.md), as in the Redis script.
      if (current) current.value = String(currentCount + 1);
      else entries.set(buckets.currentKey, { value: '1', expiresAtMs: nowMs + bucketTtlMs(windowMs), persisted: false });
      return { allowed: decision.allowed, limit, remaining: decision.remaining, resetAtMs: buckets.resetAtMs };
    },

    async ping() {
      open();
    },

    async close() {
      if (closed) return;
      closed = true;
      clearInterval(sweep);
      // Wait for a write still on its way, so a process that exits right after close() keeps it.
      await writer?.idle();
    },
  };
}
