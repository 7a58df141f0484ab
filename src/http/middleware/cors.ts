import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';

const ALLOW_METHODS = 'GET, POST, PATCH, DELETE';
const ALLOW_HEADERS = 'Authorization, Content-Type, X-Request-ID';
// API.md: every response carries X-Request-ID, limited routes the rate-limit headers (both spellings), a 429 Retry-After.
const EXPOSE_HEADERS = [
  'X-Request-ID',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
  'Retry-After',
].join(', ');
const MAX_AGE_SECONDS = '600';

function isPreflight(c: Context<AppEnv>): boolean {
  return c.req.method === 'OPTIONS' && c.req.header('origin') !== undefined && c.req.header('access-control-request-method') !== undefined;
}

function addVaryOrigin(headers: Headers): void {
  const vary = headers.get('Vary');
  const present = (vary ?? '').split(',').some((item) => item.trim().toLowerCase() === 'origin');
  if (!present) headers.set('Vary', vary ? `${vary}, Origin` : 'Origin');
}

/**
 * CORS for every route. Only the exact configured origins get grants (Access-Control-*); `null` and everything else
 * get none at all, and `*` is never used. hono/cors is not used because it sends Allow-Credentials and Expose-Headers
 * to every origin and takes any OPTIONS for a preflight.
 *
 * A preflight is answered here, before client-ip and the rate limits: it touches no store, and counting it would spend
 * a browser's budget twice per call (5 logins a minute would become 2). A bare OPTIONS goes on like any request (405).
 */
export function cors(allowedOrigins: readonly string[]): MiddlewareHandler<AppEnv> {
  const allowed = new Set(allowedOrigins);
  // No origins configured (the default): no grants and no Vary, only preflights answered; no await of its own.
  if (allowed.size === 0) return (c, next) => (isPreflight(c) ? Promise.resolve(c.body(null, 204)) : next());
  return async function corsMiddleware(c, next) {
    const origin = c.req.header('origin');
    const granted = origin !== undefined && allowed.has(origin);
    if (isPreflight(c)) {
      if (granted) {
        c.header('Access-Control-Allow-Origin', origin);
        c.header('Access-Control-Allow-Credentials', 'true');
        c.header('Access-Control-Allow-Methods', ALLOW_METHODS);
        c.header('Access-Control-Allow-Headers', ALLOW_HEADERS);
        c.header('Access-Control-Max-Age', MAX_AGE_SECONDS);
      }
      c.header('Vary', 'Origin');
      return c.body(null, 204);
    }
    await next();
    // Whether or not this request is granted, the answer depends on Origin: a shared cache must key on it.
    addVaryOrigin(c.res.headers);
    if (!granted) return;
    c.res.headers.set('Access-Control-Allow-Origin', origin);
    c.res.headers.set('Access-Control-Allow-Credentials', 'true');
    c.res.headers.set('Access-Control-Expose-Headers', EXPOSE_HEADERS);
  };
}
