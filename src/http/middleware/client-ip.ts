import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';

export function clientIp(): MiddlewareHandler<AppEnv> {
  return async function clientIpMiddleware(c, next) {
    c.set('clientIp', c.get('deps').clientIp(c));
    await next();
  };
}
