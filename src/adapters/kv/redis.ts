import { createClient } from 'redis';
import type { Clock, KeyValueStore, RateLimitResult } from '../../core/ports';
import { DEFAULT_KEY_PREFIX, keyPrefixer, rateLimitNamespace, ttlMsFromSeconds } from './keys';
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

// Callers fail closed (denylist) or open (rate limits) on a rejection, so nothing may wait long: no offline
// queue, a bounded connect, a per-command deadline, and background reconnects with capped backoff.
const CONNECT_TIMEOUT_MS = 2000;
const COMMAND_TIMEOUT_MS = 2000;
const MAX_RECONNECT_DELAY_MS = 2000;

/** Connects first; rejects when the server cannot be reached at start. */
export async function createRedisStore(options: RedisStoreOptions): Promise<KeyValueStore> {
  const prefix = options.prefix ?? DEFAULT_KEY_PREFIX;
  const k = keyPrefixer(prefix);
  const namespace = rateLimitNamespace(prefix);
  let connectedOnce = false;
  const client = createClient({
    url: options.url,
    disableOfflineQueue: true,
    commandOptions: { timeout: COMMAND_TIMEOUT_MS },
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      reconnectStrategy: (retries, cause) =>
        connectedOnce ? Math.min(50 * 2 ** retries, MAX_RECONNECT_DELAY_MS) : new Error(`cannot reach Redis: ${cause.message}`, { cause }),
    },
  });
  // node-redis emits every socket failure as 'error'; unheard it would crash the process. Commands reject
  // meanwhile, which is where callers learn of it (and log it without the URL, which may hold a password).
  client.on('error', () => {});
  client.on('ready', () => {
    connectedOnce = true;
  });
  await client.connect();

  return {
    kind: 'redis',

    async set(key, value, ttlSeconds) {
      await client.set(k(key), value, { expiration: { type: 'PX', value: ttlMsFromSeconds(ttlSeconds) } });
    },

    async get(key) {
      return client.get(k(key));
    },

    async take(key) {
      return client.getDel(k(key));
    },

    async increment(key, ttlSeconds) {
      const ttlMs = ttlMsFromSeconds(ttlSeconds);
      // One round trip, atomic; PEXPIRE NX gives the counter its TTL only when it has none, i.e. at creation.
      const [count] = await client.multi().incr(k(key)).pExpire(k(key), ttlMs, 'NX').exec();
      return Number(count);
    },

    async delete(key) {
      await client.del(k(key));
    },

    async existsAny(keys) {
      if (keys.length === 0) return false;
      return (await client.exists(keys.map(k))) > 0;
    },

    async hitSlidingWindow(key, limit, windowSeconds): Promise<RateLimitResult> {
      assertWindowArgs(limit, windowSeconds);
      const nowMs = options.clock.nowMs();
      const buckets = windowBuckets(namespace, key, nowMs, windowSeconds);
      const args = [String(limit), String(nowMs), String(buckets.windowMs)];
      const remaining = Number(await runScript(client, slidingWindowScript, [buckets.currentKey, buckets.previousKey], args));
      return { allowed: remaining >= 0, limit, remaining: Math.max(0, remaining), resetAtMs: buckets.resetAtMs };
    },

    async ping() {
      await client.ping();
    },

    async close() {
      if (!client.isOpen) return;
      await client.close().catch(() => client.destroy());
    },
  };
}
