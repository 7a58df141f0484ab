import type { MiddlewareHandler } from 'hono';
import { AppError } from '../../core/errors';
import { isLocked } from '../../core/users';
import type { AppEnv } from '../env';

/**
 * After authenticate(): the caller as the database has it now (one primary-key read), in `c.get('user')`. A token
 * can outlive what it says: a deleted or locked account is refused here with the generic 401, whatever the token.
 */
export function requireUser(): MiddlewareHandler<AppEnv> {
  return async function requireUserMiddleware(c, next) {
    const deps = c.get('deps');
    const user = await deps.db.users.findById(c.get('auth').userId);
    if (!user || user.deletedAt || isLocked(user, deps.clock.nowMs())) throw new AppError('AUTHENTICATION_ERROR', 'Invalid or missing access token');
    c.set('user', user);
    await next();
  };
}
