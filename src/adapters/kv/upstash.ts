// The Workers entry of @upstash/redis: fetch only, no process.env, no node:* (it runs on Node as well).
import { Redis } from '@upstash/redis/cloudflare';
import type { Clock, KeyValueStore, RateLimitResult } from '../../core/ports';
import { DEFAULT_KEY_PREFIX, keyPrefixer, rateLimitNamespace, ttlMsFromSeconds } from './keys';
import { assertWindowArgs, windowBuckets } from './sliding-window';
import { SLIDING_WINDOW_LUA } from './sliding-window-script';

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
  const redis = new Redis({
    url: options.url,
    token: options.token,
    // Off, or the client JSON-parses values: "123" would come back as the number 123 and '{"a":1}' as an object.
    automaticDeserialization: false,
    enableTelemetry: false,
    retry: { retries: RETRIES, backoff: (retryCount) => 50 * 2 ** retryCount },
    // A function: a fresh deadline per request, and an aborted request throws instead of resolving "Aborted".
    signal: () => AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });

  // Our own script rather than @upstash/ratelimit's: the library floors the previous window's weight (a burst
  // straddling an edge got through) and does not count refused requests; this one does both as the other stores do,
  // in one round trip. EVALSHA first, EVAL when Upstash does not have it yet.
  const slidingWindow = redis.createScript<number | string>(SLIDING_WINDOW_LUA);

  return {
    kind: 'upstash',

    async set(key, value, ttlSeconds) {
      await redis.set(k(key), value, { px: ttlMsFromSeconds(ttlSeconds) });
    },

    async get(key) {
      return asStringOrNull(await redis.get(k(key)));
    },

    async take(key) {
      return asStringOrNull(await redis.getdel(k(key)));
    },

    async increment(key, ttlSeconds) {
      const ttlMs = ttlMsFromSeconds(ttlSeconds);
      // MULTI/EXEC in one request; PEXPIRE NX only sets a TTL on a counter that has none, i.e. at creation.
      const [count] = await redis.multi().incr(k(key)).pexpire(k(key), ttlMs, 'NX').exec<[number, number]>();
      return Number(count);
    },

    async delete(key) {
      await redis.del(k(key));
    },

    async existsAny(keys) {
      if (keys.length === 0) return false;
      return Number(await redis.exists(...keys.map(k))) > 0;
    },

    async hitSlidingWindow(key, limit, windowSeconds): Promise<RateLimitResult> {
      assertWindowArgs(limit, windowSeconds);
      const nowMs = clock.nowMs();
      const buckets = windowBuckets(rateLimitNamespace(prefix), key, nowMs, windowSeconds);
      const args = [String(limit), String(nowMs), String(buckets.windowMs)];
      const remaining = Number(await slidingWindow.exec([buckets.currentKey, buckets.previousKey], args));
      return { allowed: remaining >= 0, limit, remaining: Math.max(0, remaining), resetAtMs: buckets.resetAtMs };
    },

    async ping() {
      await redis.ping();
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
