import { recordAudit, type AuditAction } from '../audit';
import { countAuthenticationFailure } from '../auth';
import type { CoreDeps, RequestContext } from '../deps';
import { AppError } from '../errors';
import { sendLater } from '../mail';
import { normalizePassword } from '../password-policy';
import { revokeUserSessions } from '../tokens';
import { isLocked } from '../users';
import { hashBackupCodes, newBackupCodes } from './backup-codes';
import { accountOf, rejectCode, useTotpCode, wrongInput } from './factor';
import { backupCodesRegeneratedMail, mfaDisabledMail } from './mail';

// Turning MFA off and replacing the backup codes weaken or reset the second factor, so both need the password and
// a current TOTP code (SECURITY.md), even from a signed-in session: a stolen access token alone is not enough.

const mfaNotOn = () => new AppError('CONFLICT', 'Multi-factor authentication is not enabled');

async function verifyPasswordAndCode(
  deps: CoreDeps,
  userId: string,
  input: { password: string; code: string },
  ctx: RequestContext,
  operation: { action: AuditAction; during: 'disable' | 'backup_codes' },
) {
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
  const code = await useTotpCode(deps, user, input.code);
  if (!code.ok) {
    await rejectCode(deps, user, ctx, { reason: code.reason, via: 'totp', during: operation.during });
    throw wrongInput('code', code.reason === 'replay' ? 'This code was already used; wait for the next one' : 'The code is not valid');
  }
  return user;
}

/**
 * Turns MFA off: secret and backup codes are deleted and the security stamp rotates with this session carried over,
 * so every other session ends at once (denied, then revoked; their refresh tokens stop working) and an MFA
 * challenge started before cannot finish.
 */
export async function disableMfa(
  deps: CoreDeps,
  auth: { userId: string; sessionId: string },
  input: { password: string; code: string },
  ctx: RequestContext,
): Promise<void> {
  const user = await verifyPasswordAndCode(deps, auth.userId, input, ctx, { action: 'MFA_DISABLED', during: 'disable' });
  await revokeUserSessions(deps, user.id, 'mfa_disabled', {
    exceptSessionId: auth.sessionId,
    change: async () => {
      if (!(await deps.db.mfa.disable(user.id, new Date(deps.clock.nowMs()), auth.sessionId))) throw mfaNotOn();
    },
  });
  await recordAudit(deps, ctx, { action: 'MFA_DISABLED', outcome: 'success', userId: user.id });
  sendLater(deps, ctx, mfaDisabledMail({ to: user.email, name: user.name }));
}

/** A new set of eight backup codes, shown this once; the old set stops working in the same statement. */
export async function regenerateBackupCodes(
  deps: CoreDeps,
  auth: { userId: string },
  input: { password: string; code: string },
  ctx: RequestContext,
): Promise<string[]> {
  const user = await verifyPasswordAndCode(deps, auth.userId, input, ctx, { action: 'BACKUP_CODES_REGENERATED', during: 'backup_codes' });
  const codes = newBackupCodes(deps.random);
  if (!(await deps.db.mfa.replaceBackupCodes(user.id, await hashBackupCodes(codes), new Date(deps.clock.nowMs())))) throw mfaNotOn();
  await recordAudit(deps, ctx, { action: 'BACKUP_CODES_REGENERATED', outcome: 'success', userId: user.id });
  sendLater(deps, ctx, backupCodesRegeneratedMail({ to: user.email, name: user.name }));
  return codes;
}
