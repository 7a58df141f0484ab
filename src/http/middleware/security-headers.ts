import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';

// API.md "Security headers": stricter than hono/secure-headers' defaults, and on every response, errors included.
const JSON_CSP = "default-src 'none'; frame-ancestors 'none'";

export function securityHeaders(): MiddlewareHandler<AppEnv> {
  return async function securityHeadersMiddleware(c, next) {
    await next();
    const h = c.res.headers;
    h.set('X-Content-Type-Options', 'nosniff');
    h.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    h.set('X-Frame-Options', 'DENY');
    h.set('Referrer-Policy', 'no-referrer');
    // HTML pages (/demo, /api-docs) set their own CSP allowing exactly what they load.
    if (!h.has('Content-Security-Policy')) h.set('Content-Security-Policy', JSON_CSP);
  };
}
