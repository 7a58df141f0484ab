import { renderSVG } from 'uqr';
import { auditRow } from '../audit';
import type { CoreDeps, RequestContext } from '../deps';
import { AppError } from '../errors';
import { sendLater } from '../mail';
import { isLocked } from '../users';
import { hashBackupCodes, newBackupCodes } from './backup-codes';
import { accountOf, readTotpSecret, rejectCode, wrongInput } from './factor';
import { mfaEnabledMail } from './mail';
import { sealTotpSecret } from './secret-box';
import { base32Secret, matchTotpStep, newTotpSecret, otpauthUri } from './totp';

export interface Enrolment {
  secret: string;
  otpauthUrl: string;
  qrCodeSvg: string;
  backupCodes: string[];
}

export const mfaAlreadyOn = () => new AppError('CONFLICT', 'Multi-factor authentication is already enabled');

/**
 * Starts (or restarts) an enrolment: a new secret and backup codes, shown this once. Nothing changes for sign-in
 * until /mfa/verify accepts a code of this secret; a second call before that replaces both.
 */
export async function startEnrolment(deps: CoreDeps, auth: { userId: string }): Promise<Enrolment> {
  const user = await accountOf(deps, auth.userId);
  if (user.mfaEnabledAt) throw mfaAlreadyOn();
  const secret = newTotpSecret(deps.random);
  const backupCodes = newBackupCodes(deps.random);
  const saved = await deps.db.mfa.savePending(
    user.id,
    { secretEncrypted: await sealTotpSecret(deps.mfaKey, deps.random, user.id, secret), backupCodeHashes: await hashBackupCodes(backupCodes) },
    new Date(deps.clock.nowMs()),
  );
  if (!saved) throw mfaAlreadyOn();
  // The issuer an authenticator app lists the account under: this deployment's host (APP_URL).
  const otpauthUrl = otpauthUri(secret, new URL(deps.config.appUrl).host, user.email);
  return { secret: base32Secret(secret), otpauthUrl, qrCodeSvg: renderSVG(otpauthUrl), backupCodes };
}

/** Turns MFA on once a code of the pending secret is accepted; that code's step counts as used. */
export async function confirmEnrolment(deps: CoreDeps, auth: { userId: string }, code: string, ctx: RequestContext): Promise<void> {
  const user = await accountOf(deps, auth.userId);
  if (user.mfaEnabledAt) throw mfaAlreadyOn();
  const nowMs = deps.clock.nowMs();
  if (isLocked(user, nowMs)) throw wrongInput('code', 'The account is locked after repeated failures; try again later');
  const stored = await readTotpSecret(deps, user);
  if (!stored) throw new AppError('VALIDATION_ERROR', 'No enrolment is pending: call /mfa/enable first', undefined, { reason: 'not_enrolled' });
  const step = matchTotpStep(stored.secret, code, nowMs);
  if (step === null) {
    await rejectCode(deps, user, ctx, { reason: 'wrong_code', via: 'totp', during: 'enable' });
    throw wrongInput('code', 'The code is not valid');
  }
  // Compare-and-set on the secret the code was checked against: an enrolment restarted meanwhile is not turned on.
  // MFA on and its audit row commit together, or neither does.
  const [activated] = await deps.db.atomic((w) => {
    const on = w.mfa.activate(user.id, stored.sealed, step, new Date(nowMs));
    return [on, w.audit.append(auditRow(deps, ctx, { action: 'MFA_ENABLED', outcome: 'success', userId: user.id }), { when: on })] as const;
  });
  if (!activated) throw wrongInput('code', 'The enrolment changed meanwhile; enter a code of the current secret');
  sendLater(deps, ctx, mfaEnabledMail({ to: user.email, name: user.name }));
}
