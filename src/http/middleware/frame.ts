import type { MiddlewareHandler } from 'hono';
import type { AppDeps, AppEnv } from '../env';
import { reachesEveryResponse, setFrameHeader } from '../frame-headers';
import { matchedRoutePattern } from '../route-pattern';

// The request's frame, in one middleware because every request passes through it (the `hello` benchmark is this,
// CORS and the request gate): the dependencies, X-Request-ID, the client address, the security headers, then the
// access log line and the HTTP metrics once the answer is known.

// API.md: an inbound X-Request-ID is kept when it is 1–128 characters of [A-Za-z0-9._:-]; anything else is
// replaced, so log lines can't be forged or bloated through it.
const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

// API.md "Security headers": stricter than hono/secure-headers' defaults, and on every response, errors included.
// HTML pages (/demo, /api-docs, /admin) replace the CSP with one allowing exactly what they load.
const SECURITY_HEADERS: readonly (readonly [string, string])[] = [
  ['X-Content-Type-Options', 'nosniff'],
  ['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'],
  ['X-Frame-Options', 'DENY'],
  ['Referrer-Policy', 'no-referrer'],
];
const JSON_CSP = "default-src 'none'; frame-ancestors 'none'";

/** A fixed label for every path no route matched: raw paths would leak link tokens and grow the series without bound. */
export const UNMATCHED_ROUTE = 'unmatched';

/** Any path segment that looks like a bearer secret (link tokens ride in paths: /verify-email/:token). */
const SECRET_LIKE_SEGMENT = /^[A-Za-z0-9_~.-]{20,}$/;

/**
 * For a path no route matched, the raw path with secret-looking segments masked; matched routes log their pattern
 * (`/api/v1/auth/verify-email/:token`), never the raw path. The query string is never logged.
 */
function maskedPath(rawPath: string): string {
  return rawPath
    .split('/')
    .map((segment) => (SECRET_LIKE_SEGMENT.test(segment) ? ':redacted' : segment))
    .join('/')
    .slice(0, 200);
}

export function requestFrame(deps: AppDeps): MiddlewareHandler<AppEnv> {
  const { logger, metrics } = deps;
  return async function requestFrameMiddleware(c, next) {
    const started = performance.now();
    c.set('deps', deps);
    c.set('logger', logger);
    const inbound = c.req.header('x-request-id');
    const id = inbound !== undefined && VALID_REQUEST_ID.test(inbound) ? inbound : crypto.randomUUID();
    c.set('requestId', id);
    c.set('clientIp', deps.clientIp(c));
    c.set('earlyHeaders', deps.earlyHeaders?.(c) ?? null);
    // Set before the handler, so a response built with c.json()/c.body() is created with them (no copy afterwards).
    setFrameHeader(c, 'X-Request-ID', id);
    for (const [name, value] of SECURITY_HEADERS) setFrameHeader(c, name, value);
    setFrameHeader(c, 'Content-Security-Policy', JSON_CSP);
    await next();
    // A handler that returned a Response of its own bypassed headers set through c.header: add them (keeping its CSP).
    const headers = reachesEveryResponse(c) ? null : c.res.headers;
    if (headers && headers.get('X-Request-ID') !== id) {
      headers.set('X-Request-ID', id);
      for (const [name, value] of SECURITY_HEADERS) headers.set(name, value);
      if (!headers.has('Content-Security-Policy')) headers.set('Content-Security-Policy', JSON_CSP);
    }
    const status = c.res.status;
    const pattern = matchedRoutePattern(c);
    const durationMs = performance.now() - started;
    metrics.httpRequest({ method: c.req.method, route: pattern ?? UNMATCHED_ROUTE, statusCode: status, durationSeconds: durationMs / 1000 });
    const level = status >= 500 ? 'error' : 'info';
    if (!logger.enabled(level)) return;
    logger[level]('request', {
      requestId: id,
      method: c.req.method,
      path: pattern ?? maskedPath(c.req.path),
      status,
      durationMs: Math.round(durationMs * 10) / 10,
      ip: c.get('clientIp'),
    });
  };
}
