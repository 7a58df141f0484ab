import { recordAudit } from '../audit';
import type { CoreDeps, RequestContext } from '../deps';
import { invalidCredentials } from '../errors';
import { sendLater } from '../mail';
import { MFA_LOGIN_CHALLENGE } from '../mfa-challenge';
import { attemptOneTimeSecret, consumeOneTimeSecret } from '../one-time-secrets';
import type { UserRecord } from '../ports';
import { assertMaySignIn, countedSignIn, finishSignIn, type SignInMethod } from '../sign-in';
import type { TokenPair } from '../tokens';
import type { PublicUser } from '../users';
import { hashBackupCode } from './backup-codes';
import { rejectCode, useTotpCode, type CodeFailure } from './factor';
import { backupCodeUsedMail } from './mail';

// The second step of an MFA login. Every failure is the generic login 401, whatever went wrong (unknown, expired,
// spent or exhausted mfaToken, wrong or replayed code, an account changed, locked or deleted since the first step).

type Check<R> = (user: UserRecord) => Promise<(R & { ok: true }) | { ok: false; reason: CodeFailure }>;

function finishChallenge<R>(
  deps: CoreDeps,
  input: { mfaToken: string; code: string },
  ctx: RequestContext,
  second: { method: SignInMethod; via: 'totp' | 'backup_code'; check: Check<R> },
): Promise<{ user: PublicUser; tokens: TokenPair; checked: R }> {
  return countedSignIn(deps, second.method, () => checkChallenge(deps, input, ctx, second));
}

async function checkChallenge<R>(
  deps: CoreDeps,
  input: { mfaToken: string; code: string },
  ctx: RequestContext,
  second: { method: SignInMethod; via: 'totp' | 'backup_code'; check: Check<R> },
): Promise<{ user: PublicUser; tokens: TokenPair; checked: R }> {
  const challenge = await attemptOneTimeSecret(deps, MFA_LOGIN_CHALLENGE, input.mfaToken);
  if (!challenge) throw invalidCredentials();
  const user = await deps.db.users.findById(challenge.userId);
  assertMaySignIn(user, deps.clock.nowMs());
  // A password reset, an admin lock or MFA turned off since the password step: no code is even looked at.
  if (user.securityStamp !== challenge.securityStamp || !user.mfaEnabledAt) throw invalidCredentials();
  const checked = await second.check(user);
  if (!checked.ok) {
    await rejectCode(deps, user, ctx, { reason: checked.reason, via: second.via, during: 'login' });
    throw invalidCredentials();
  }
  // Spent only now, so a mistyped code leaves the challenge usable (up to its attempts).
  if (!(await consumeOneTimeSecret(deps, MFA_LOGIN_CHALLENGE, input.mfaToken))) throw invalidCredentials();
  // The stamp captured at the password step is the condition the session is created under (core/sign-in.ts).
  const signedIn = await finishSignIn(
    deps,
    { ...user, securityStamp: challenge.securityStamp },
    { method: second.method, amr: [...challenge.amr, 'otp'] },
    ctx,
  );
  return { ...signedIn, checked };
}

export function verifyLoginCode(deps: CoreDeps, input: { mfaToken: string; code: string }, ctx: RequestContext) {
  return finishChallenge(deps, input, ctx, { method: 'mfa', via: 'totp', check: (user) => useTotpCode(deps, user, input.code) });
}

export async function verifyLoginBackupCode(
  deps: CoreDeps,
  input: { mfaToken: string; code: string },
  ctx: RequestContext,
): Promise<{ user: PublicUser; tokens: TokenPair; remainingBackupCodes: number }> {
  const { user, tokens, checked } = await finishChallenge(deps, input, ctx, {
    method: 'backup_code',
    via: 'backup_code',
    // Spent before the challenge is: of two racing requests on one challenge with two codes, one code may be spent
    // for nothing, never a code used twice.
    check: async (account) => {
      const hash = await hashBackupCode(input.code);
      const used = hash ? await deps.db.mfa.useBackupCode(account.id, hash, new Date(deps.clock.nowMs())) : null;
      return used ? { ok: true as const, remaining: used.remaining } : { ok: false as const, reason: 'wrong_code' as const };
    },
  });
  await recordAudit(deps, ctx, { action: 'BACKUP_CODE_USED', outcome: 'success', userId: user.id, metadata: { remaining: checked.remaining } });
  sendLater(deps, ctx, backupCodeUsedMail({ to: user.email, name: user.name }, checked.remaining));
  return { user, tokens, remainingBackupCodes: checked.remaining };
}
