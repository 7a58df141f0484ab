import { describeError } from './logger';
import { auditRow, recordAudit } from './audit';
import type { AuthServices } from './auth';
import { sha256Hex } from './crypto';
import type { CoreDeps, RequestContext } from './deps';
import { normalizeEmail } from './email';
import { AppError } from './errors';
import { badLink, issueLinkToken, linkTokenLooksValid, RESET_PASSWORD_TTL_SECONDS } from './link-tokens';
import { accountLink } from './links';
import { sendLater } from './mail';
import { passwordChangedMail, passwordResetMail } from './mail-templates';
import { checkPasswordPolicy, normalizePassword } from './password-policy';
import { revokeUserSessionsWith } from './tokens';

/**
 * Always "sent", whether or not the account exists; both paths do the same single lookup before answering, and the
 * token and mail for a real account are made after the response.
 */
export async function forgotPassword(deps: CoreDeps, rawEmail: string, ctx: RequestContext): Promise<void> {
  const user = await deps.db.users.findByEmail(normalizeEmail(rawEmail));
  if (!user || user.deletedAt) return;
  ctx.defer(async () => {
    try {
      const token = await issueLinkToken(deps, user.id, 'reset_password', RESET_PASSWORD_TTL_SECONDS);
      await recordAudit(deps, ctx, { action: 'PASSWORD_RESET_REQUESTED', outcome: 'success', userId: user.id });
      await deps.mailer.send(
        passwordResetMail({ to: user.email, link: accountLink(deps.config.appUrl, 'reset-password', token), expiresInMinutes: RESET_PASSWORD_TTL_SECONDS / 60 }),
      );
    } catch (error) {
      deps.logger.error('password reset mail failed', { userId: user.id, err: describeError(error) });
    }
  });
}

/** A reset proves control of the mailbox: it sets the password, clears any lock, verifies the e-mail and ends every session. */
export async function resetPassword(deps: CoreDeps, services: AuthServices, token: string, password: string, ctx: RequestContext): Promise<void> {
  if (!linkTokenLooksValid(token)) throw badLink('invalid_token');
  const tokenHash = await sha256Hex(token);
  const userId = await deps.db.oneTimeTokens.peek(tokenHash, 'reset_password', new Date(deps.clock.nowMs()));
  const user = userId ? await deps.db.users.findById(userId) : null;
  if (!user || user.deletedAt) throw badLink('invalid_or_expired');
  // Checked before the link is spent, so a rejected password does not burn the user's link.
  const problems = checkPasswordPolicy(password, user.email, services.isCommonPassword);
  if (problems.length > 0) throw new AppError('VALIDATION_ERROR', 'Password does not meet the policy', problems);
  const passwordHash = await deps.passwords.hash(normalizePassword(password));
  // Sessions are denied first: if the key-value store is down this fails closed before the link is spent. Then one
  // batch spends the link, sets the password (rotating the security stamp, so a login that verified the old password
  // while this ran creates nothing), revokes the sessions and audits: all of it, or, on any failure, none (the link
  // still works for a retry). Each write after the first happens only if the one before it did.
  const [consumed, changed] = await revokeUserSessionsWith(deps, user.id, 'password_reset', {}, (w, revoke, now) => {
    const spent = w.oneTimeTokens.consume(tokenHash, 'reset_password', now);
    const reset = w.users.changePassword(user.id, passwordHash, now, { reset: true }, { when: spent });
    return [spent, reset, revoke(reset), w.audit.append(auditRow(deps, ctx, { action: 'PASSWORD_RESET', outcome: 'success', userId: user.id }), { when: reset })] as const;
  });
  if (consumed !== user.id || !changed) throw badLink('invalid_or_expired');
  sendLater(deps, ctx, passwordChangedMail({ to: user.email }));
}

