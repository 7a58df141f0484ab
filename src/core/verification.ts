import { recordAudit } from './audit';
import { sha256Hex } from './crypto';
import type { CoreDeps, RequestContext } from './deps';
import { AppError } from './errors';
import { badLink, issueLinkToken, linkTokenLooksValid, VERIFY_EMAIL_TTL_SECONDS } from './link-tokens';
import { accountLink } from './links';
import { sendLater } from './mail';
import { verificationMail } from './mail-templates';
import type { UserRecord } from './ports';
import { hitRateLimit } from './rate-limit-outage';

export async function sendVerificationMail(deps: CoreDeps, user: UserRecord, ctx: RequestContext): Promise<void> {
  sendVerificationLink(deps, user, await issueLinkToken(deps, user.id, 'verify_email', VERIFY_EMAIL_TTL_SECONDS), ctx);
}

/** Mails a verify-email link token already stored, after the response. */
export function sendVerificationLink(deps: CoreDeps, user: Pick<UserRecord, 'email'>, token: string, ctx: RequestContext): void {
  sendLater(deps, ctx, verificationMail({ to: user.email, link: accountLink(deps.config.appUrl, 'verify-email', token) }));
}

export async function verifyEmail(deps: CoreDeps, token: string, ctx: RequestContext): Promise<void> {
  if (!linkTokenLooksValid(token)) throw badLink('invalid_token');
  const now = new Date(deps.clock.nowMs());
  const userId = await deps.db.oneTimeTokens.consume(await sha256Hex(token), 'verify_email', now);
  if (!userId) throw badLink('invalid_or_expired');
  const user = await deps.db.users.markEmailVerified(userId, now);
  if (!user) throw badLink('invalid_or_expired');
  await recordAudit(deps, ctx, { action: 'EMAIL_VERIFIED', outcome: 'success', userId });
}

export async function resendVerification(deps: CoreDeps, userId: string, ctx: RequestContext): Promise<void> {
  const user = await deps.db.users.findById(userId);
  if (!user || user.deletedAt) throw new AppError('AUTHENTICATION_ERROR', 'Invalid or missing access token');
  if (user.emailVerifiedAt) throw new AppError('VALIDATION_ERROR', 'This e-mail address is already verified', undefined, { reason: 'already_verified' });
  // Three mails per ten minutes per account: enough for a lost mail, too few to bomb an inbox with.
  // Like every rate limit, this one fails open when the key-value store is down (and says so in the log).
  const limit = await hitRateLimit(deps.kv, deps.logger, 'resend-verification', { key: `resend-verification:${user.id}`, limit: 3, windowSeconds: 600 });
  if (limit && !limit.allowed) throw new AppError('RATE_LIMITED', 'Too many verification e-mails; try again later');
  await sendVerificationMail(deps, user, ctx);
}

