import { describeError, type Logger } from './logger';
import type { KeyValueStore, RateLimitResult } from './ports';

// Rate limits fail open while the key-value store is down (availability beats a limit). That is logged once per
// outage of a store — when the first limit fails open, and again when a limit is counted once more — never once per
// request, which would flood the log at the moment an operator reads it. Per process (per isolate on Workers).
const failingOpen = new WeakSet<KeyValueStore>();

/** Counts one hit; null (and, once per outage, a log line) when the store cannot count it. */
export async function hitRateLimit(
  kv: KeyValueStore,
  logger: Logger,
  bucket: string,
  hit: { key: string; limit: number; windowSeconds: number },
): Promise<RateLimitResult | null> {
  let result: RateLimitResult;
  try {
    result = await kv.hitSlidingWindow(hit.key, hit.limit, hit.windowSeconds);
  } catch (error) {
    if (!failingOpen.has(kv)) {
      failingOpen.add(kv);
      logger.warn('rate limiter unavailable; failing open until the key-value store answers again', { bucket, err: describeError(error) });
    }
    return null;
  }
  if (failingOpen.delete(kv)) logger.warn('rate limiter available again; limits apply', { bucket });
  return result;
}
