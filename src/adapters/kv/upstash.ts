import { Ratelimit } from '@upstash/ratelimit';
// The Workers entry of @upstash/redis: fetch only, no process.env, no node:* (it runs on Node as well).
import { Redis } from '@upstash/redis/cloudflare';
import type { KeyValueStore, RateLimitResult } from '../../core/ports';
import { DEFAULT_KEY_PREFIX, keyPrefixer, rateLimitNamespace, ttlMsFromSeconds } from './keys';
import { assertWindowArgs, bucketTtlMs, windowBuckets, windowMsFromSeconds } from './sliding-window';

export interface UpstashStoreOptions {
  url: string;
  token: string;
  /** Prepended to every key; default "authgate:". */
  prefix?: string;
}

// Every request is bounded so an unreachable store rejects within seconds and callers can fail closed/open.
const REQUEST_TIMEOUT_MS = 3000;
const RETRIES = 2;

export function createUpstashStore(options: UpstashStoreOptions): KeyValueStore {
  const prefix = options.prefix ?? DEFAULT_KEY_PREFIX;
  const k = keyPrefixer(prefix);
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

  // One limiter per (limit, window); the ratelimit prefix lays keys out as the other stores do (keys.ts).
  const limiters = new Map<string, Ratelimit>();
  function limiterFor(limit: number, windowSeconds: number): Ratelimit {
    const windowMs = windowMsFromSeconds(windowSeconds);
    const id = `${limit}/${windowMs}`;
    let limiter = limiters.get(id);
    if (!limiter) {
      limiter = new Ratelimit({
        redis,
        limiter: Ratelimit.slidingWindow(limit, `${windowMs} ms` as const),
        prefix: rateLimitNamespace(prefix),
        // The in-process block cache would answer "refused" without asking Redis, so two instances (or a
        // test that moves the clock) would disagree with the store; analytics writes extra keys we do not want.
        ephemeralCache: false,
        analytics: false,
        enableTelemetry: false,
        // 0 = no library timeout: its timeout *allows* the request silently; ours rejects (REQUEST_TIMEOUT_MS)
        // so the caller decides, and logs, that rate limiting failed open.
        timeout: 0,
      });
      limiters.set(id, limiter);
    }
    return limiter;
  }

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
      const result = await limiterFor(limit, windowSeconds).limit(key);
      if (!result.success) {
        // @upstash/ratelimit does not count a refused request; API.md says every request counts, so the refusal is
        // added to the library's current bucket (same key layout, windowBuckets) in one extra round trip.
        const { currentKey, windowMs } = windowBuckets(rateLimitNamespace(prefix), key, Date.now(), windowSeconds);
        await redis.multi().incr(currentKey).pexpire(currentKey, bucketTtlMs(windowMs), 'NX').exec();
      }
      return { allowed: result.success, limit: result.limit, remaining: result.remaining, resetAtMs: result.reset };
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
