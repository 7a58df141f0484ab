import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../../core/logger';
import type { AppEnv } from '../env';

/** One JSON line per request. Only the path is logged, never the query string (it might carry a secret by mistake). */
export function requestLogger(logger: Logger): MiddlewareHandler<AppEnv> {
  return async function requestLoggerMiddleware(c, next) {
    const started = performance.now();
    c.set('logger', logger);
    await next();
    const status = c.res.status;
    const fields = {
      requestId: c.get('requestId'),
      method: c.req.method,
      path: c.req.path,
      status,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      ip: c.get('clientIp'),
    };
    if (status >= 500) logger.error('request', fields);
    else logger.info('request', fields);
  };
}
