import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
import { matchedRoutePattern } from '../route-pattern';

/** A fixed label for every path no route matched: raw paths would leak link tokens and grow the series without bound. */
export const UNMATCHED_ROUTE = 'unmatched';

/** Counts and times every request by route pattern (http_requests_total, http_request_duration_seconds). */
export function httpMetrics(): MiddlewareHandler<AppEnv> {
  return async function httpMetricsMiddleware(c, next) {
    const started = performance.now();
    await next();
    c.get('deps').metrics.httpRequest({
      method: c.req.method,
      route: matchedRoutePattern(c) ?? UNMATCHED_ROUTE,
      statusCode: c.res.status,
      durationSeconds: (performance.now() - started) / 1000,
    });
  };
}
