import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
import { prefetchDenylist } from './authenticate';
import { withJsonBodyRules } from './body';
import { rateLimitStep } from './rate-limit';

/**
 * What every request passes after the frame and CORS, in one middleware rather than three layers of Hono's dispatch
 * (the `hello` benchmark is the frame, CORS and this): the JSON body rules (415, 413), then the denylist prefetch,
 * then the global rate limit (429), in that order, so a refused body never counts against the client's limit.
 */
export function requestGate(): MiddlewareHandler<AppEnv> {
  const countGlobal = rateLimitStep('global', (config) => config.rateLimit.global);
  return async function requestGateMiddleware(c, next) {
    await withJsonBodyRules(c, async () => {
      prefetchDenylist(c);
      await countGlobal(c);
      await next();
    });
  };
}
