import { auditRow, recordAudit } from './audit';
import { countAuthenticationFailure, type AuthServices } from './auth';
import type { CoreDeps, RequestContext } from './deps';
import { AppError } from './errors';
import { sendLater } from './mail';
import { passwordChangedMail } from './mail-templates';
import { checkPasswordPolicy, normalizePassword } from './password-policy';
import { revokeUserSessionsWith } from './tokens';

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
  // Compare-and-set on the hash just verified: of two concurrent changes only one wins, and no sign-in verified
  // against the old password starts a session after this (the stamp rotates; this session moves with it). The new
  // password, the other sessions' revocation and the audit row commit together or not at all.
  const [changed] = await revokeUserSessionsWith(deps, user.id, 'password_changed', { exceptSessionId: auth.sessionId }, (w, revoke, now) => {
    const change = w.users.changePassword(user.id, passwordHash, now, { expectedHash: user.passwordHash ?? '', keepSessionId: auth.sessionId });
    return [change, revoke(change), w.audit.append(auditRow(deps, ctx, { action: 'PASSWORD_CHANGED', outcome: 'success', userId: user.id }), { when: change })] as const;
  });
  if (!changed) throw new AppError('VALIDATION_ERROR', 'Current password is incorrect', [{ path: 'currentPassword', message: 'The password changed meanwhile' }]);
  sendLater(deps, ctx, passwordChangedMail({ to: user.email }));
}
