import { recordAudit } from './audit';
import { countAuthenticationFailure, type AuthServices } from './auth';
import type { CoreDeps, RequestContext } from './deps';
import { AppError } from './errors';
import { sendLater } from './mail';
import { passwordChangedMail } from './mail-templates';
import { checkPasswordPolicy, normalizePassword } from './password-policy';
import { revokeUserSessions } from './tokens';

/** Changing the password ends every other session; this one lives on. A wrong current password counts toward lockout. */
export async function changePassword(
  deps: CoreDeps,
  services: AuthServices,
  auth: { userId: string; sessionId: string },
  input: { currentPassword: string; newPassword: string },
  ctx: RequestContext,
): Promise<void> {
  const user = await deps.db.users.findById(auth.userId);
  if (!user || user.deletedAt) throw new AppError('AUTHENTICATION_ERROR', 'Invalid or missing access token');
  const valid = user.passwordHash ? await deps.passwords.verify(user.passwordHash, normalizePassword(input.currentPassword)) : false;
  if (!valid) {
    await countAuthenticationFailure(deps, user, ctx);
    await recordAudit(deps, ctx, { action: 'PASSWORD_CHANGED', outcome: 'failure', userId: user.id, metadata: { reason: 'bad_current_password' } });
    throw new AppError('VALIDATION_ERROR', 'Current password is incorrect', [{ path: 'currentPassword', message: 'Current password is incorrect' }]);
  }
  const problems = checkPasswordPolicy(input.newPassword, user.email, services.isCommonPassword, 'newPassword');
  if (problems.length > 0) throw new AppError('VALIDATION_ERROR', 'Password does not meet the policy', problems);
  const passwordHash = await deps.passwords.hash(normalizePassword(input.newPassword));
  await revokeUserSessions(deps, user.id, 'password_changed', {
    exceptSessionId: auth.sessionId,
    // Compare-and-set on the hash just verified: of two concurrent changes only one wins, and no sign-in verified
    // against the old password starts a session after this (the stamp rotates; this session moves with it).
    change: async () => {
      const changed = await deps.db.users.changePassword(user.id, passwordHash, new Date(deps.clock.nowMs()), {
        expectedHash: user.passwordHash ?? '',
        keepSessionId: auth.sessionId,
      });
      if (!changed) throw new AppError('VALIDATION_ERROR', 'Current password is incorrect', [{ path: 'currentPassword', message: 'The password changed meanwhile' }]);
    },
  });
  await recordAudit(deps, ctx, { action: 'PASSWORD_CHANGED', outcome: 'success', userId: user.id });
  sendLater(deps, ctx, passwordChangedMail({ to: user.email }));
}
