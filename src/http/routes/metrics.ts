import type { Context, Handler } from 'hono';
import { constantTimeEqual } from '../../adapters/password/equal';
import type { Config } from '../../config';
import { sha256Hex } from '../../core/crypto';
import type { MetricsExposition } from '../../core/metrics';
import type { AppEnv } from '../env';
import { errorResponse } from '../errors';

const encoder = new TextEncoder();

// Both sides are hashed first, so the comparison runs on equal lengths and the time taken never says how long the
// token is nor how much of it was right.
async function bearerMatches(header: string | undefined, token: string): Promise<boolean> {
  const presented = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
  const [a, b] = await Promise.all([sha256Hex(presented), sha256Hex(token)]);
  return constantTimeEqual(encoder.encode(a), encoder.encode(b));
}

/**
 * Whether /metrics exists at all: with METRICS_TOKEN it is served to that bearer; without it only outside
 * production (a developer's `npm start`), because process and sign-in figures are not for the open internet.
 */
export function metricsServed(config: Config): boolean {
  return config.metricsToken !== undefined || !config.production;
}

/** GET /metrics: Prometheus text format, behind `Authorization: Bearer <METRICS_TOKEN>` when that is set. */
export function metricsHandler(exposition: MetricsExposition, config: Config): Handler<AppEnv> {
  return async function serveMetrics(c: Context<AppEnv>) {
    if (config.metricsToken !== undefined && !(await bearerMatches(c.req.header('Authorization'), config.metricsToken))) {
      c.header('WWW-Authenticate', 'Bearer');
      return errorResponse(c, 'AUTHENTICATION_ERROR', 'A valid metrics token is required');
    }
    return c.body(await exposition.render(), 200, { 'Content-Type': exposition.contentType, 'Cache-Control': 'no-store' });
  };
}
