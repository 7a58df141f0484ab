import { securityNoticeMail } from '../mail-templates';
import type { MailMessage } from '../ports';

// The notices of MFA changes (SECURITY.md: MFA on/off, backup-code use and regeneration are told to the owner).
// Subjects are fixed strings; nothing here carries a code or a secret.

/** Who the notice goes to: the account's e-mail, greeted by name when it has one. */
export interface Owner {
  to: string;
  name?: string | null;
}

export function mfaEnabledMail({ to, name }: Owner): MailMessage {
  return securityNoticeMail({
    to,
    name,
    subject: 'Two-factor authentication is on',
    happened: `Two-factor authentication was turned on for your account (${to}). Signing in now also needs a code from your authenticator app or one of your backup codes.`,
  });
}

export function mfaDisabledMail({ to, name }: Owner): MailMessage {
  return securityNoticeMail({
    to,
    name,
    subject: 'Two-factor authentication was turned off',
    happened: `Two-factor authentication was turned off for your account (${to}), and every other session was ended. Signing in now needs only your password.`,
  });
}

export function backupCodesRegeneratedMail({ to, name }: Owner): MailMessage {
  return securityNoticeMail({
    to,
    name,
    subject: 'New backup codes were created',
    happened: `A new set of backup codes was created for your account (${to}). The previous codes no longer work.`,
  });
}

export function backupCodeUsedMail({ to, name }: Owner, remaining: number): MailMessage {
  return securityNoticeMail({
    to,
    name,
    subject: 'A backup code was used to sign in',
    happened: `A backup code was used to sign in to your account (${to}). ${remaining === 1 ? '1 unused code is' : `${remaining} unused codes are`} left.`,
  });
}
