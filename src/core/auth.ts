import { sendLater } from './mail';
import { recordAudit } from './audit';
import { accountLink } from './links';
import { accountLockedMail } from './mail-templates';
import { newId } from './crypto';
import type { CoreDeps, RequestContext } from './deps';
import { normalizeEmail } from './email';
import { AppError, invalidCredentials } from './errors';
import { checkPasswordPolicy, normalizePassword } from './password-policy';
import type { UserRecord } from './ports';
import { startSession, type TokenPair } from './tokens';
import { isLocked, toPublicUser, type PublicUser } from './users';
import { sendVerificationMail } from './verification';

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
  const user = await deps.db.users.create({
    id: newId(),
    email,
    name: input.name?.trim() || null,
    passwordHash,
    role: 'USER',
    emailVerifiedAt: null,
    createdAt: new Date(deps.clock.nowMs()),
  });
  // Two registrations racing past the existence check: the unique index decides.
  if (!user) throw new AppError('CONFLICT', 'An account with this e-mail already exists');
  await recordAudit(deps, ctx, { action: 'REGISTER', outcome: 'success', userId: user.id });
  await sendVerificationMail(deps, user, ctx);
  const tokens = await startSession(deps, user, ['pwd'], ctx);
  return { user: toPublicUser(user), tokens };
}

export type LoginResult =
  | { mfaRequired: false; user: PublicUser; tokens: TokenPair }
  | { mfaRequired: true; user: UserRecord };

async function failLogin(deps: CoreDeps, ctx: RequestContext, userId: string | null, reason: string): Promise<never> {
  await recordAudit(deps, ctx, { action: 'LOGIN_FAILURE', outcome: 'failure', userId, metadata: { reason } });
  throw invalidCredentials();
}

/** Counts a failed secret against the account and locks it at the threshold (OWASP ASVS 2.2.1). */
export async function countAuthenticationFailure(deps: CoreDeps, user: UserRecord, ctx: RequestContext): Promise<void> {
  const now = new Date(deps.clock.nowMs());
  const failures = await deps.db.users.recordLoginFailure(user.id, now);
  if (failures >= deps.config.lockout.threshold && !isLocked(user, now.getTime())) {
    const until = new Date(now.getTime() + deps.config.lockout.seconds * 1000);
    await deps.db.users.lockUntil(user.id, until, now);
    await recordAudit(deps, ctx, { action: 'ACCOUNT_LOCKED', outcome: 'failure', userId: user.id, metadata: { failures, lockedUntil: until.toISOString() } });
    deps.logger.warn('account locked after repeated failures', { userId: user.id, failures });
    sendLater(deps, ctx, accountLockedMail({ to: user.email, lockedUntil: until, resetLink: accountLink(deps.config.appUrl, 'forgot-password') }));
  }
}

/**
 * The password step of a login. Unknown, wrong, locked and deleted all end in the same 401 after one Argon2id verify,
 * so neither the body nor the time taken tells them apart.
 */
export async function login(
  deps: CoreDeps,
  services: AuthServices,
  input: { email: string; password: string },
  ctx: RequestContext,
): Promise<LoginResult> {
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
  const now = new Date(deps.clock.nowMs());
  if (deps.passwords.needsRehash(user.passwordHash)) {
    await deps.db.users.setPasswordHash(user.id, await deps.passwords.hash(password), now);
  }
  // An MFA login is not a success until the second factor passes: the failure counter must survive the password
  // step, or an attacker holding the password could guess codes forever by logging in again between guesses.
  if (user.mfaEnabledAt) return { mfaRequired: true, user };
  await deps.db.users.recordLoginSuccess(user.id, now);
  await recordAudit(deps, ctx, { action: 'LOGIN_SUCCESS', outcome: 'success', userId: user.id, metadata: { amr: ['pwd'] } });
  const tokens = await startSession(deps, user, ['pwd'], ctx);
  return { mfaRequired: false, user: toPublicUser({ ...user, lastLoginAt: now, failedLoginCount: 0 }), tokens };
}
