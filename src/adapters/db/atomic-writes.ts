import type { AtomicWrites } from '../../core/ports';
import { restoreStep, setEmailVerifiedStep } from './admin-statements';
import { appendAuditStep } from './audit';
import { activateStep, disableStep, replaceBackupCodesStep, useTotpStepStep } from './mfa';
import { createUserWithIdentityStep, linkStep } from './oauth-accounts';
import { consumeTokenStep, issueTokenStep } from './one-time-tokens';
import { createSessionStep, revokeAllStep } from './session-create';
import { changePasswordStep, createUserStep, lockUntilStep, softDeleteStep, unlockStep } from './user-statements';

// The steps of atomic batches: the same statements the repositories run one at a time, built but not run.
export const atomicWrites: AtomicWrites = {
  users: {
    create: createUserStep,
    changePassword: changePasswordStep,
    lockUntil: lockUntilStep,
    unlock: unlockStep,
    softDelete: softDeleteStep,
  },
  sessions: { createWithRefreshToken: createSessionStep, revokeAllForUser: revokeAllStep },
  oneTimeTokens: { issue: issueTokenStep, consume: consumeTokenStep },
  mfa: { activate: activateStep, useTotpStep: useTotpStepStep, replaceBackupCodes: replaceBackupCodesStep, disable: disableStep },
  oauthAccounts: { createUserWithIdentity: createUserWithIdentityStep, link: linkStep },
  admin: { setEmailVerified: setEmailVerifiedStep, restore: restoreStep },
  audit: { append: appendAuditStep },
};
