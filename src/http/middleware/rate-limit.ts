import type { Context, MiddlewareHandler } from 'hono';
import type { Config, RateRule } from '../../config';
import { AppError } from '../../core/errors';
import { hitRateLimit } from '../../core/rate-limit-outage';
import type { RateLimitResult } from '../../core/ports';
import type { AppEnv } from '../env';
import { setFrameHeader } from '../frame-headers';

function setHeaders(c: Context<AppEnv>, result: RateLimitResult, nowMs: number) {
  const resetSeconds = Math.max(0, Math.ceil((result.resetAtMs - nowMs) / 1000));
  for (const prefix of ['RateLimit', 'X-RateLimit']) {
    setFrameHeader(c, `${prefix}-Limit`, String(result.limit));
    setFrameHeader(c, `${prefix}-Remaining`, String(Math.max(0, result.remaining)));
    setFrameHeader(c, `${prefix}-Reset`, String(resetSeconds));
  }
  if (!result.allowed) setFrameHeader(c, 'Retry-After', String(Math.max(1, resetSeconds)));
}

/**
 * A sliding-window limit per client IP (API.md "Rate-limit headers"). Every request counts, refused ones included.
 * When several limits apply, the headers describe the one with fewer requests left. If the key-value store is down
 * the limiter fails open (availability beats a limit) and says so in the log, once per outage.
 */
export function rateLimit(bucket: string, ruleOf: (config: Config) => RateRule): MiddlewareHandler<AppEnv> {
  const count = rateLimitStep(bucket, ruleOf);
  return async function rateLimitMiddleware(c, next) {
    await count(c);
    return next();
  };
}

/** The counting of rateLimit() without the middleware around it (the request gate runs the global one inline). */
export function rateLimitStep(bucket: string, ruleOf: (config: Config) => RateRule): (c: Context<AppEnv>) => Promise<void> {
  return async function countRateLimit(c) {
    const { kv, clock, config } = c.get('deps');
    const rule = ruleOf(config);
    const ip = c.get('clientIp') ?? 'unknown';
    const result = await hitRateLimit(kv, c.get('logger'), bucket, { key: `rl:${bucket}:${ip}`, limit: rule.requests, windowSeconds: rule.windowSeconds });
    if (!result) return;
    const previous = c.get('rateLimit');
    const shown = !previous || result.remaining < previous.remaining || !result.allowed ? result : previous;
    c.set('rateLimit', shown);
    setHeaders(c, shown, clock.nowMs());
    if (!result.allowed) {
      // The bucket names the rule (`global`, `auth:login`), never the client.
      c.get('deps').metrics.rateLimitHit(bucket);
      throw new AppError('RATE_LIMITED', 'Too many requests; try again later');
    }
  };
}
