import { recordAudit } from '../audit';
import { countAuthenticationFailure } from '../auth';
import type { CoreDeps, RequestContext } from '../deps';
import { AppError } from '../errors';
import type { UserRecord } from '../ports';
import { openTotpSecret, sealTotpSecret } from './secret-box';
import { matchTotpStep } from './totp';

// What every MFA use-case does with a second factor: read the secret (migrating its encryption), match a code,
// claim its time step, and count and audit a failure.

export type CodeFailure = 'wrong_code' | 'replay';
export type CodeOutcome = { ok: true; step: number } | { ok: false; reason: CodeFailure };

/** The account behind a bearer token; a deleted one is treated like a bad token. */
export async function accountOf(deps: CoreDeps, userId: string): Promise<UserRecord> {
  const user = await deps.db.users.findById(userId);
  if (!user || user.deletedAt) throw new AppError('AUTHENTICATION_ERROR', 'Invalid or missing access token');
  return user;
}

/**
 * The user's TOTP secret and its stored form. A secret sealed the legacy way (MFA_ENCRYPTION_KEY as the AES key) is
 * re-encrypted under the derived key by this read, compare-and-set, so each stored secret migrates once.
 */
export async function readTotpSecret(deps: CoreDeps, user: UserRecord): Promise<{ secret: Uint8Array; sealed: string } | null> {
  const sealed = user.mfaSecretEncrypted;
  if (!sealed) return null;
  const opened = await openTotpSecret(deps, user.id, sealed);
  if (!opened) {
    deps.logger.error('stored TOTP secret does not decrypt under MFA_ENCRYPTION_KEY', { userId: user.id });
    return null;
  }
  if (!opened.legacy) return { secret: opened.secret, sealed };
  const resealed = await sealTotpSecret(deps.mfaKey, deps.random, user.id, opened.secret);
  const migrated = await deps.db.mfa.replaceSecret(user.id, sealed, resealed, new Date(deps.clock.nowMs()));
  if (migrated) deps.logger.info('TOTP secret re-encrypted under the derived key', { userId: user.id });
  return { secret: opened.secret, sealed: migrated ? resealed : sealed };
}

/**
 * Checks a TOTP code of a user with MFA on and claims its time step in one conditional update, so a code is
 * accepted once: a replay of its step or an earlier one fails, and of two racing uses exactly one wins.
 */
export async function useTotpCode(deps: CoreDeps, user: UserRecord, code: string): Promise<CodeOutcome> {
  const step = await matchTotpCode(deps, user, code);
  if (step === null) return { ok: false, reason: 'wrong_code' };
  if (!(await deps.db.mfa.useTotpStep(user.id, step, new Date(deps.clock.nowMs())))) return { ok: false, reason: 'replay' };
  return { ok: true, step };
}

/** The time step a TOTP code of the user's secret belongs to, or null; claiming it (the replay guard) is the caller's. */
export async function matchTotpCode(deps: CoreDeps, user: UserRecord, code: string): Promise<number | null> {
  const stored = await readTotpSecret(deps, user);
  return stored ? matchTotpStep(stored.secret, code, deps.clock.nowMs()) : null;
}

/**
 * A wrong or replayed code counts toward the account lockout, on the same counter as wrong passwords (so guessing
 * codes with a known password locks the account too), and is audited as MFA_FAILURE or MFA_REPLAY.
 */
export async function rejectCode(
  deps: CoreDeps,
  user: UserRecord,
  ctx: RequestContext,
  failure: { reason: CodeFailure; via: 'totp' | 'backup_code'; during: 'login' | 'enable' | 'disable' | 'backup_codes' },
): Promise<void> {
  await countAuthenticationFailure(deps, user, ctx);
  await recordAudit(deps, ctx, {
    action: failure.reason === 'replay' ? 'MFA_REPLAY' : 'MFA_FAILURE',
    outcome: 'failure',
    userId: user.id,
    metadata: { via: failure.via, during: failure.during },
  });
}

/** A wrong input secret on a bearer route: 400 naming the field (API.md "Precise rules"), never a 401. */
export function wrongInput(field: 'code' | 'password', message: string): AppError {
  return new AppError('VALIDATION_ERROR', message, [{ path: field, message }]);
}
