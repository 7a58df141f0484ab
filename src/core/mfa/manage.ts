import { auditRow, recordAudit, type AuditAction } from '../audit';
import { countAuthenticationFailure } from '../auth';
import type { CoreDeps, RequestContext } from '../deps';
import { AppError } from '../errors';
import { sendLater } from '../mail';
import { normalizePassword } from '../password-policy';
import { revokeUserSessionsWith } from '../tokens';
import type { UserRecord } from '../ports';
import { isLocked } from '../users';
import { hashBackupCodes, newBackupCodes } from './backup-codes';
import { accountOf, matchTotpCode, rejectCode, wrongInput } from './factor';
import { backupCodesRegeneratedMail, mfaDisabledMail } from './mail';

// Turning MFA off and replacing the backup codes weaken or reset the second factor, so both need the password and
// a current TOTP code (SECURITY.md), even from a signed-in session: a stolen access token alone is not enough.

const mfaNotOn = () => new AppError('CONFLICT', 'Multi-factor authentication is not enabled');

/**
 * Checks the password and matches the TOTP code; the code's time step is claimed (the replay guard) in the batch of
 * the change itself, so a change that fails leaves the code unspent and a retry with the same code works.
 */
async function verifyPasswordAndCode(
  deps: CoreDeps,
  userId: string,
  input: { password: string; code: string },
  ctx: RequestContext,
  operation: { action: AuditAction; during: 'disable' | 'backup_codes' },
): Promise<{ user: UserRecord; step: number }> {
  const user = await accountOf(deps, userId);
  if (!user.mfaEnabledAt) throw mfaNotOn();
  // Locked accounts check no secret at all, or a stolen token could keep guessing past the lockout.
  if (isLocked(user, deps.clock.nowMs())) throw wrongInput('password', 'The account is locked after repeated failures; try again later');
  const passwordOk = user.passwordHash ? await deps.passwords.verify(user.passwordHash, normalizePassword(input.password)) : false;
  if (!passwordOk) {
    await countAuthenticationFailure(deps, user, ctx);
    await recordAudit(deps, ctx, { action: operation.action, outcome: 'failure', userId: user.id, metadata: { reason: 'bad_password' } });
    throw wrongInput('password', 'Password is incorrect');
  }
  const step = await matchTotpCode(deps, user, input.code);
  if (step === null) {
    await rejectCode(deps, user, ctx, { reason: 'wrong_code', via: 'totp', during: operation.during });
    throw wrongInput('code', 'The code is not valid');
  }
  return { user, step };
}

/** The batch claimed no step: the code's step (or a later one) was used already. Nothing else of it was written. */
async function refuseReplay(deps: CoreDeps, user: UserRecord, ctx: RequestContext, during: 'disable' | 'backup_codes'): Promise<never> {
  await rejectCode(deps, user, ctx, { reason: 'replay', via: 'totp', during });
  throw wrongInput('code', 'This code was already used; wait for the next one');
}

/**
 * Turns MFA off: secret and backup codes are deleted and the security stamp rotates with this session carried over,
 * so every other session ends at once (denied, then revoked; their refresh tokens stop working) and an MFA
 * challenge started before cannot finish. The code's claim, MFA off, the revocation and the audit row are one batch.
 */
export async function disableMfa(
  deps: CoreDeps,
  auth: { userId: string; sessionId: string },
  input: { password: string; code: string },
  ctx: RequestContext,
): Promise<void> {
  const { user, step } = await verifyPasswordAndCode(deps, auth.userId, input, ctx, { action: 'MFA_DISABLED', during: 'disable' });
  const [claimed, off] = await revokeUserSessionsWith(deps, user.id, 'mfa_disabled', { exceptSessionId: auth.sessionId }, (w, revoke, now) => {
    const claim = w.mfa.useTotpStep(user.id, step, now);
    const disabled = w.mfa.disable(user.id, now, auth.sessionId, { when: claim });
    return [claim, disabled, revoke(disabled), w.audit.append(auditRow(deps, ctx, { action: 'MFA_DISABLED', outcome: 'success', userId: user.id }), { when: disabled })] as const;
  });
  if (!claimed) return refuseReplay(deps, user, ctx, 'disable');
  if (!off) throw mfaNotOn();
  sendLater(deps, ctx, mfaDisabledMail({ to: user.email, name: user.name }));
}

/** A new set of eight backup codes, shown this once; the old set stops working in the same statement. */
export async function regenerateBackupCodes(
  deps: CoreDeps,
  auth: { userId: string },
  input: { password: string; code: string },
  ctx: RequestContext,
): Promise<string[]> {
  const { user, step } = await verifyPasswordAndCode(deps, auth.userId, input, ctx, { action: 'BACKUP_CODES_REGENERATED', during: 'backup_codes' });
  const codes = newBackupCodes(deps.random);
  const hashes = await hashBackupCodes(codes);
  // The code's claim, the new set and the audit row: one batch, all or nothing.
  const [claimed, replaced] = await deps.db.atomic((w) => {
    const now = new Date(deps.clock.nowMs());
    const claim = w.mfa.useTotpStep(user.id, step, now);
    const replacing = w.mfa.replaceBackupCodes(user.id, hashes, now, { when: claim });
    return [claim, replacing, w.audit.append(auditRow(deps, ctx, { action: 'BACKUP_CODES_REGENERATED', outcome: 'success', userId: user.id }), { when: replacing })] as const;
  });
  if (!claimed) return refuseReplay(deps, user, ctx, 'backup_codes');
  if (!replaced) throw mfaNotOn();
  sendLater(deps, ctx, backupCodesRegeneratedMail({ to: user.email, name: user.name }));
  return codes;
}
