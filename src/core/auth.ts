import { sendLater } from './mail';
import { auditRow, recordAudit } from './audit';
import { accountLink } from './links';
import { accountLockedMail } from './mail-templates';
import { newId } from './crypto';
import type { CoreDeps, RequestContext } from './deps';
import { normalizeEmail } from './email';
import { AppError, invalidCredentials } from './errors';
import { checkPasswordPolicy, normalizePassword } from './password-policy';
import type { UserRecord } from './ports';
import { afterFirstFactor, countedSignIn, type SignInResult } from './sign-in';
import { newLinkToken, VERIFY_EMAIL_TTL_SECONDS } from './link-tokens';
import { newSession, tokenPair, type TokenPair } from './tokens';
import { isLocked, toPublicUser, type PublicUser } from './users';
import { sendVerificationLink } from './verification';

export type CommonPasswordCheck = (normalizedLowercase: string) => boolean;

export interface AuthServices {
  isCommonPassword: CommonPasswordCheck;
  /** A hash of a random password, verified when the account does not exist so both paths cost one Argon2id verify. */
  dummyPasswordHash: Promise<string>;
}

export async function register(
  deps: CoreDeps,
  services: AuthServices,
  input: { email: string; password: string; name?: string | undefined },
  ctx: RequestContext,
): Promise<{ user: PublicUser; tokens: TokenPair }> {
  const email = normalizeEmail(input.email);
  const problems = checkPasswordPolicy(input.password, email, services.isCommonPassword);
  if (problems.length > 0) throw new AppError('VALIDATION_ERROR', 'Password does not meet the policy', problems);
  if (await deps.db.users.findByEmail(email)) throw new AppError('CONFLICT', 'An account with this e-mail already exists');
  const passwordHash = await deps.passwords.hash(normalizePassword(input.password));
  const now = new Date(deps.clock.nowMs());
  const candidate = { id: newId(), email, name: input.name?.trim() || null, passwordHash, role: 'USER' as const, emailVerifiedAt: null, createdAt: now };
  const verification = await newLinkToken(deps, candidate.id, 'verify_email', VERIFY_EMAIL_TTL_SECONDS);
  // A new row's security stamp is 0: the session is created under it, in the same batch.
  const started = await newSession(deps, { id: candidate.id, securityStamp: 0 }, ['pwd'], ctx);
  // The user, its audit row, its verification link and its first session: all written, or none of them.
  const [user, , , sessionCreated] = await deps.db.atomic((w) => {
    const created = w.users.create(candidate);
    return [
      created,
      w.audit.append(auditRow(deps, ctx, { action: 'REGISTER', outcome: 'success', userId: candidate.id }), { when: created }),
      w.oneTimeTokens.issue(verification.record, { when: created }),
      w.sessions.createWithRefreshToken(started.session, started.token, { recordSignIn: false }),
    ] as const;
  });
  // Two registrations racing past the existence check: the unique index decides, and the loser wrote nothing.
  if (!user) throw new AppError('CONFLICT', 'An account with this e-mail already exists');
  // The session's condition (the new row, not deleted or locked) holds inside the batch; refused all the same if not.
  if (!sessionCreated) throw invalidCredentials();
  sendVerificationLink(deps, user, verification.token, ctx);
  return { user: toPublicUser(user), tokens: await tokenPair(deps, user, started.session, started.refreshToken) };
}

async function failLogin(deps: CoreDeps, ctx: RequestContext, userId: string | null, reason: string): Promise<never> {
  await recordAudit(deps, ctx, { action: 'LOGIN_FAILURE', outcome: 'failure', userId, metadata: { reason } });
  throw invalidCredentials();
}

/**
 * Counts a failed secret against the account and locks it at the threshold (OWASP ASVS 2.2.1). One statement
 * decides, so concurrent failures lock once: one audit row, one mail.
 */
export async function countAuthenticationFailure(deps: CoreDeps, user: UserRecord, ctx: RequestContext): Promise<void> {
  const { lockout } = deps.config;
  const { failures, lockedUntil } = await deps.db.users.recordLoginFailure(user.id, new Date(deps.clock.nowMs()), {
    threshold: lockout.threshold,
    lockSeconds: lockout.seconds,
  });
  if (!lockedUntil) return;
  deps.metrics.lockout();
  await recordAudit(deps, ctx, { action: 'ACCOUNT_LOCKED', outcome: 'failure', userId: user.id, metadata: { failures, lockedUntil: lockedUntil.toISOString() } });
  deps.logger.warn('account locked after repeated failures', { userId: user.id, failures });
  sendLater(deps, ctx, accountLockedMail({ to: user.email, lockedUntil, resetLink: accountLink(deps.config.appUrl, 'forgot-password') }));
}

/**
 * The password step of a login. Unknown, wrong, locked and deleted all end in the same 401 after one Argon2id verify,
 * so neither the body nor the time taken tells them apart. A verified password ends through the sign-in seam.
 */
async function passwordStep(
  deps: CoreDeps,
  services: AuthServices,
  input: { email: string; password: string },
  ctx: RequestContext,
): Promise<SignInResult> {
  const email = normalizeEmail(input.email);
  const password = normalizePassword(input.password);
  const user = await deps.db.users.findByEmail(email);
  if (!user || user.deletedAt || !user.passwordHash) {
    await deps.passwords.verify(await services.dummyPasswordHash, password);
    return failLogin(deps, ctx, user?.id ?? null, user ? (user.deletedAt ? 'deleted' : 'no_password') : 'unknown_email');
  }
  const valid = await deps.passwords.verify(user.passwordHash, password);
  if (isLocked(user, deps.clock.nowMs())) return failLogin(deps, ctx, user.id, 'locked');
  if (!valid) {
    await countAuthenticationFailure(deps, user, ctx);
    return failLogin(deps, ctx, user.id, 'bad_password');
  }
  if (deps.passwords.needsRehash(user.passwordHash)) {
    // Compare-and-set: a reset or change that landed while we verified is never overwritten with this password.
    await deps.db.users.rehashPassword(user.id, user.passwordHash, await deps.passwords.hash(password), new Date(deps.clock.nowMs()));
  }
  return afterFirstFactor(deps, user, { method: 'password', amr: ['pwd'] }, ctx);
}

export function login(deps: CoreDeps, services: AuthServices, input: { email: string; password: string }, ctx: RequestContext): Promise<SignInResult> {
  return countedSignIn(deps, 'password', () => passwordStep(deps, services, input, ctx));
}
