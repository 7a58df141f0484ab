import type { Context } from 'hono';
import type { RequestContext } from '../core/deps';
import type { AppEnv } from './env';

export function requestContext(c: Context<AppEnv>): RequestContext {
  return {
    ipAddress: c.get('clientIp'),
    userAgent: c.req.header('user-agent')?.slice(0, 512) ?? null,
    requestId: c.get('requestId'),
  };
}
