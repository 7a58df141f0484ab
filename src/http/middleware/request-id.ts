import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';

// API.md: an inbound X-Request-ID is kept when it is 1–128 characters of [A-Za-z0-9._:-]; anything else is
// replaced, so log lines can't be forged or bloated through it.
const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestId(): MiddlewareHandler<AppEnv> {
  return async function requestIdMiddleware(c, next) {
    const inbound = c.req.header('x-request-id');
    const id = inbound && VALID_REQUEST_ID.test(inbound) ? inbound : crypto.randomUUID();
    c.set('requestId', id);
    c.header('X-Request-ID', id);
    await next();
    c.res.headers.set('X-Request-ID', id);
  };
}
