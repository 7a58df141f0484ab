import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
import { rateLimit } from './rate-limit';

/** API.md: each sensitive auth route has its own 5 / 60 s bucket per client IP (RATE_LIMIT_AUTH). */
export function authRateLimit(route: string): MiddlewareHandler<AppEnv> {
  return rateLimit(`auth:${route}`, (config) => config.rateLimit.auth);
}
