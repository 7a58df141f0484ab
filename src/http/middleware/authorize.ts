import type { MiddlewareHandler } from 'hono';
import { recordAudit } from '../../core/audit';
import { AppError } from '../../core/errors';
import type { Role } from '../../core/ports';
import { satisfiesMfa } from '../../core/sign-in';
import { requestContext } from '../context';
import type { AppEnv } from '../env';

export interface AuthorizeOptions {
  roles: readonly Role[];
  /** Require a session that passed a second factor, when ADMIN_MFA_REQUIRED is on. */
  mfa: boolean;
}

/**
 * After requireUser(): the role comes from the database row read there, never from the token, so a demoted admin's
 * still-valid token is refused at once. The second factor is the session's `amr` (satisfiesMfa: `otp`, or a passkey
 * with user verification). Every refusal leaves an ACCESS_DENIED audit row.
 */
export function authorize(options: AuthorizeOptions): MiddlewareHandler<AppEnv> {
  return async function authorizeMiddleware(c, next) {
    const deps = c.get('deps');
    const user = c.get('user');
    const refuse = async (code: 'AUTHORIZATION_ERROR' | 'MFA_REQUIRED', reason: string, message: string) => {
      await recordAudit(deps, requestContext(c), {
        action: 'ACCESS_DENIED',
        outcome: 'failure',
        userId: user.id,
        metadata: { reason, method: c.req.method, path: c.req.path, role: user.role },
      });
      throw new AppError(code, message);
    };
    if (!options.roles.includes(user.role)) await refuse('AUTHORIZATION_ERROR', 'role', 'Your role does not allow this');
    if (options.mfa && deps.config.adminMfaRequired && !satisfiesMfa(c.get('auth').amr)) {
      await refuse('MFA_REQUIRED', 'mfa', 'This needs a session that passed a second factor (MFA)');
    }
    await next();
  };
}
