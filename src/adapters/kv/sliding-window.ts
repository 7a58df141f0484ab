// The sliding-window counter of @upstash/ratelimit 2.2.0 (Ratelimit.slidingWindow, single region): a fixed window
// counter plus the previous window's count weighted by the share of the previous window still inside the sliding
// window — with one change: that weighted count is rounded UP, where the library floors it. Flooring let a burst
// straddling an edge through: 5 hits just before a minute boundary weigh floor(5 × 0.99) = 4 just after it, so a
// sixth was allowed within a second (issue 14). All three stores run this arithmetic: the embedded store calls
// slidingWindowHit below, the Redis and Upstash stores run the same steps in Lua (sliding-window-script.ts); all
// use windowBuckets for the keys.
//
// What it guarantees, for a limit L over a window W (every request counted, refused ones included):
// - after every allowed hit, previous × (share still inside) + current ≤ L: the estimate never exceeds the limit;
// - at most L allowed in any fixed window;
// - any L + 1 requests within W / L (12 s at 5/60) include a refusal, wherever the window edge falls. Proof: say a
//   of them land before the edge and b after it (a + b = L + 1, 1 ≤ a ≤ L). At the last one, less than W / L into
//   its window, the previous count is at least a and more than 1 − 1/L of it still weighs, so the weight exceeds
//   a − a/L ≥ a − 1 and its ceiling is at least a; with the b − 1 before it in the current window that is L.
// - not an exact sliding log: the previous window is assumed evenly spread, so when it was bunched at its very end,
//   a window of length W can hold up to 2L − 1 allowed requests (L at the end of one window, then L − 1 spread over
//   the next as the weight decays). An exact bound would need every timestamp (a sorted set per key).

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
  const weightedPrevious = weightedPreviousCount(previousCount, nowMs, windowMs);
  if (weightedPrevious + currentCount >= limit) return { allowed: false, remaining: 0 };
  return { allowed: true, remaining: Math.max(0, limit - (currentCount + 1 + weightedPrevious)) };
}

/**
 * ⌈previous × (share of the previous window still inside)⌉, in integers: previous × msStillInside is exact in a
 * double (well below 2^53), and so is the quotient when it is whole, so the ceiling never rounds a whole count up.
 */
export function weightedPreviousCount(previousCount: number, nowMs: number, windowMs: number): number {
  const msStillInside = windowMs - (nowMs % windowMs);
  return Math.ceil((previousCount * msStillInside) / windowMs);
}
