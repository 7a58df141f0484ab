// Upstash over its REST API (upstash-rest.ts: fetch only, no process.env, no node:*, so it runs on Node as well).
import type { Clock, KeyValueStore, RateLimitResult } from '../../core/ports';
import { DEFAULT_KEY_PREFIX, keyPrefixer, rateLimitNamespace, ttlMsFromSeconds } from './keys';
import { assertWindowArgs, windowBuckets } from './sliding-window';
import { SLIDING_WINDOW_LUA } from './sliding-window-script';
import { createUpstashRest } from './upstash-rest';

export interface UpstashStoreOptions {
  url: string;
  token: string;
  /** Prepended to every key; default "authgate:". */
  prefix?: string;
  /** Time for the sliding windows, as the other stores take it (TTLs are kept by Upstash); default Date.now. */
  clock?: Clock;
}

// Every request is bounded so an unreachable store rejects within seconds and callers can fail closed/open.
const REQUEST_TIMEOUT_MS = 3000;
const RETRIES = 2;

export function createUpstashStore(options: UpstashStoreOptions): KeyValueStore {
  const prefix = options.prefix ?? DEFAULT_KEY_PREFIX;
  const k = keyPrefixer(prefix);
  const clock = options.clock ?? { nowMs: () => Date.now() };
  const redis = createUpstashRest({
    url: options.url,
    token: options.token,
    // A fresh deadline per request; an aborted request rejects (never retried), a network error is retried.
    timeoutMs: REQUEST_TIMEOUT_MS,
    retries: RETRIES,
    backoffMs: (retry) => 50 * 2 ** retry,
  });

  // Our own script rather than @upstash/ratelimit's: the library floors the previous window's weight (a burst
  // straddling an edge got through) and does not count refused requests; this one does both as the other stores do,
  // in one round trip. EVALSHA first, EVAL when Upstash does not have it yet.
  const slidingWindow = redis.script(SLIDING_WINDOW_LUA);

  return {
    kind: 'upstash',

    async set(key, value, ttlSeconds) {
      await redis.command(['set', k(key), value, 'px', ttlMsFromSeconds(ttlSeconds)]);
    },

    async get(key) {
      return asStringOrNull(await redis.command(['get', k(key)]));
    },

    async take(key) {
      return asStringOrNull(await redis.command(['getdel', k(key)]));
    },

    async increment(key, ttlSeconds) {
      const ttlMs = ttlMsFromSeconds(ttlSeconds);
      // MULTI/EXEC in one request; PEXPIRE NX only sets a TTL on a counter that has none, i.e. at creation.
      const [count] = await redis.transaction([
        ['incr', k(key)],
        ['pexpire', k(key), ttlMs, 'NX'],
      ]);
      return Number(count);
    },

    async delete(key) {
      await redis.command(['del', k(key)]);
    },

    async existsAny(keys) {
      if (keys.length === 0) return false;
      return Number(await redis.command(['exists', ...keys.map(k)])) > 0;
    },

    async hitSlidingWindow(key, limit, windowSeconds): Promise<RateLimitResult> {
      assertWindowArgs(limit, windowSeconds);
      const nowMs = clock.nowMs();
      const buckets = windowBuckets(rateLimitNamespace(prefix), key, nowMs, windowSeconds);
      const args = [String(limit), String(nowMs), String(buckets.windowMs)];
      const remaining = Number(await slidingWindow([buckets.currentKey, buckets.previousKey], args));
      return { allowed: remaining >= 0, limit, remaining: Math.max(0, remaining), resetAtMs: buckets.resetAtMs };
    },

    async ping() {
      await redis.command(['ping']);
    },

    async close() {
      // Stateless over HTTP: nothing to release.
    },
  };
}

function asStringOrNull(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  throw new TypeError(`unexpected value type from Upstash: ${typeof value}`);
}
