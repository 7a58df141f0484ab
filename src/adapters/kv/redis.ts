import type { Clock, KeyValueStore, RateLimitResult } from '../../core/ports';
import { DEFAULT_KEY_PREFIX, keyPrefixer, rateLimitNamespace, ttlMsFromSeconds } from './keys';
import { openRedisConnection } from './redis-connection';
import { runScript, slidingWindowScript } from './redis-scripts';
import { assertWindowArgs, windowBuckets } from './sliding-window';

export interface RedisStoreOptions {
  /** redis:// or rediss:// URL. */
  url: string;
  /** Prepended to every key; default "authgate:". */
  prefix?: string;
  /** Time for the sliding windows (TTLs are kept by the Redis server). */
  clock: Clock;
}

/** Connects first; rejects when the server cannot be reached at start. Every call rejects within ~2 s. */
export async function createRedisStore(options: RedisStoreOptions): Promise<KeyValueStore> {
  const prefix = options.prefix ?? DEFAULT_KEY_PREFIX;
  const k = keyPrefixer(prefix);
  const namespace = rateLimitNamespace(prefix);
  const connection = await openRedisConnection(options.url);
  const { call } = connection;

  return {
    kind: 'redis',

    async set(key, value, ttlSeconds) {
      const ttlMs = ttlMsFromSeconds(ttlSeconds);
      await call((client) => client.set(k(key), value, { expiration: { type: 'PX', value: ttlMs } }));
    },

    async get(key) {
      return call((client) => client.get(k(key)));
    },

    async take(key) {
      return call((client) => client.getDel(k(key)));
    },

    async increment(key, ttlSeconds) {
      const ttlMs = ttlMsFromSeconds(ttlSeconds);
      // One round trip, atomic; PEXPIRE NX gives the counter its TTL only when it has none, i.e. at creation.
      const [count] = await call((client) => client.multi().incr(k(key)).pExpire(k(key), ttlMs, 'NX').exec());
      return Number(count);
    },

    async delete(key) {
      await call((client) => client.del(k(key)));
    },

    async existsAny(keys) {
      if (keys.length === 0) return false;
      return (await call((client) => client.exists(keys.map(k)))) > 0;
    },

    async hitSlidingWindow(key, limit, windowSeconds): Promise<RateLimitResult> {
      assertWindowArgs(limit, windowSeconds);
      const nowMs = options.clock.nowMs();
      const buckets = windowBuckets(namespace, key, nowMs, windowSeconds);
      const keys = [buckets.currentKey, buckets.previousKey];
      const args = [String(limit), String(nowMs), String(buckets.windowMs)];
      const remaining = Number(await call((client) => runScript(client, slidingWindowScript, keys, args)));
      return { allowed: remaining >= 0, limit, remaining: Math.max(0, remaining), resetAtMs: buckets.resetAtMs };
    },

    async ping() {
      await call((client) => client.ping());
    },

    close: () => connection.close(),
  };
}
