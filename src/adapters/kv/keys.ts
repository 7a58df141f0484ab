// Key layout shared by the three key-value stores, so one Redis can hold several deployments (and each
// test run its own key space), and so the Redis and Upstash adapters write the very same keys.

/** Prepended verbatim to every key. */
export const DEFAULT_KEY_PREFIX = 'authgate:';

export type KeyPrefixer = (key: string) => string;

export function keyPrefixer(prefix: string = DEFAULT_KEY_PREFIX): KeyPrefixer {
  return (key) => prefix + key;
}

/**
 * Namespace of the sliding-window buckets; windowBuckets() names them `${namespace}:${identifier}:${bucket}` for
 * every store (the layout @upstash/ratelimit uses, so buckets written by an older release are still read).
 */
export function rateLimitNamespace(prefix: string = DEFAULT_KEY_PREFIX): string {
  return `${prefix}rl`;
}

/** TTLs travel as milliseconds (PX / PEXPIRE) so a fractional second is neither lost nor an error. */
export function ttlMsFromSeconds(ttlSeconds: number): number {
  if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
    throw new RangeError(`ttlSeconds must be a positive number, got ${ttlSeconds}`);
  }
  return Math.max(1, Math.ceil(ttlSeconds * 1000));
}
