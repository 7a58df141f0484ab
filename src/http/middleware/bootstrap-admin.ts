import type { MiddlewareHandler } from 'hono';
import { ensureSuperAdminOnce } from '../../core/admin/bootstrap';
import type { AppEnv } from '../env';

/**
 * Workers have no start-up to run the ADMIN_EMAIL bootstrap in, so the first request of an isolate does it (Node has
 * done it before listening; here it is then one settled promise). A failure is logged and does not stop the service.
 */
export function bootstrapAdmin(): MiddlewareHandler<AppEnv> {
  return async function bootstrapAdminMiddleware(c, next) {
    const deps = c.get('deps');
    await ensureSuperAdminOnce(deps, deps.auth)?.catch(() => {});
    await next();
  };
}
