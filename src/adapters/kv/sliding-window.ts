// The sliding-window arithmetic of @upstash/ratelimit 2.2.0 (Ratelimit.slidingWindow, single region): a fixed
// window counter plus the previous window's count weighted by the share of the previous window still inside the
// sliding window. The Upstash store runs the library itself, the Redis store runs the same steps in Lua
// (redis-scripts.ts), the embedded store calls slidingWindowHit below; all three use windowBuckets for the keys.

export interface WindowBuckets {
  currentKey: string;
  previousKey: string;
  windowMs: number;
  /** End of the current fixed window: what @upstash/ratelimit reports as `reset`. */
  resetAtMs: number;
}

export function assertWindowArgs(limit: number, windowSeconds: number): void {
  if (!Number.isInteger(limit) || limit <= 0) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  if (!Number.isFinite(windowSeconds) || windowSeconds * 1000 < 1) {
    throw new RangeError(`windowSeconds must be at least 1 ms, got ${windowSeconds}`);
  }
}

export function windowMsFromSeconds(windowSeconds: number): number {
  // @upstash/ratelimit rounds a duration to whole milliseconds the same way.
  return Math.round(windowSeconds * 1000);
}

export function windowBuckets(namespace: string, key: string, nowMs: number, windowSeconds: number): WindowBuckets {
  const windowMs = windowMsFromSeconds(windowSeconds);
  const current = Math.floor(nowMs / windowMs);
  return {
    currentKey: `${namespace}:${key}:${current}`,
    previousKey: `${namespace}:${key}:${current - 1}`,
    windowMs,
    resetAtMs: (current + 1) * windowMs,
  };
}

/** How long a bucket must live: long enough to serve as the previous window of the next one, plus a second. */
export function bucketTtlMs(windowMs: number): number {
  return windowMs * 2 + 1000;
}

export interface SlidingWindowInput {
  limit: number;
  currentCount: number;
  previousCount: number;
  nowMs: number;
  windowMs: number;
}

/** Decides one hit; the caller then adds one to the current bucket, allowed or not (API.md: refused requests count). */
export function slidingWindowHit(input: SlidingWindowInput): { allowed: boolean; remaining: number } {
  const { limit, currentCount, previousCount, nowMs, windowMs } = input;
  const shareOfPreviousStillInside = 1 - (nowMs % windowMs) / windowMs;
  const weightedPrevious = Math.floor(shareOfPreviousStillInside * previousCount);
  if (weightedPrevious + currentCount >= limit) return { allowed: false, remaining: 0 };
  return { allowed: true, remaining: Math.max(0, limit - (currentCount + 1 + weightedPrevious)) };
}
