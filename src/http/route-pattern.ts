import type { Context } from 'hono';
import { routePath } from 'hono/route';

/**
 * The pattern of the route that answered (`/api/v1/auth/verify-email/:token`), or null when no route matched: then
 * the last handler is middleware, whose pattern has a wildcard. Logs and metrics use it instead of the raw path,
 * which carries link tokens (and, as a metric label, would grow without bound).
 */
export function matchedRoutePattern(c: Context): string | null {
  const pattern = routePath(c, -1);
  return pattern.includes('*') ? null : pattern;
}
