import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../../core/logger';
import type { AppEnv } from '../env';
import { matchedRoutePattern } from '../route-pattern';

/** Any path segment that looks like a bearer secret (link tokens ride in paths: /verify-email/:token). */
const SECRET_LIKE_SEGMENT = /^[A-Za-z0-9_~.-]{20,}$/;

/**
 * The route pattern (`/api/v1/auth/verify-email/:token`), never the raw path, which carries link tokens; for a path no
 * route matched, the raw path with secret-looking segments masked. The query string is never logged.
 */
function loggablePath(pattern: string | null, rawPath: string): string {
  if (pattern !== null) return pattern;
  return rawPath
    .split('/')
    .map((segment) => (SECRET_LIKE_SEGMENT.test(segment) ? ':redacted' : segment))
    .join('/')
    .slice(0, 200);
}

/** One JSON line per request. */
export function requestLogger(logger: Logger): MiddlewareHandler<AppEnv> {
  return async function requestLoggerMiddleware(c, next) {
    const started = performance.now();
    c.set('logger', logger);
    await next();
    const status = c.res.status;
    const fields = {
      requestId: c.get('requestId'),
      method: c.req.method,
      path: loggablePath(matchedRoutePattern(c), c.req.path),
      status,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      ip: c.get('clientIp'),
    };
    if (status >= 500) logger.error('request', fields);
    else logger.info('request', fields);
  };
}
