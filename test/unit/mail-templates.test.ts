import { describe, expect, it } from 'vitest';
import {
  accountLockedMail,
  escapeHtml,
  formatDuration,
  passwordChangedMail,
  passwordResetMail,
  verificationMail,
} from '../../src/core/mail-templates';
import { backupCodeUsedMail, backupCodesRegeneratedMail, mfaDisabledMail, mfaEnabledMail } from '../../src/core/mfa/mail';
import type { MailMessage } from '../../src/core/ports';

const to = 'ada@example.com';
const link = 'https://auth.example.com/reset-password?token=abc123&x=1';
const hostile = '<script>alert(1)</script>"><img src=x onerror=alert(2)>';

type Build = (extra: { to: string; name?: string | null }) => MailMessage;

const linked: [string, Build][] = [
  ['verificationMail', (e) => verificationMail({ ...e, link })],
  ['passwordResetMail', (e) => passwordResetMail({ ...e, link, expiresInMinutes: 60 })],
  ['accountLockedMail', (e) => accountLockedMail({ ...e, lockedUntil: new Date('2030-05-06T07:08:09Z'), resetLink: link })],
  ['passwordChangedMail with a reset link', (e) => passwordChangedMail({ ...e, resetLink: link })],
];
const mfaNotices: [string, Build][] = [
  ['mfaEnabledMail', (e) => mfaEnabledMail(e)],
  ['mfaDisabledMail', (e) => mfaDisabledMail(e)],
  ['backupCodesRegeneratedMail', (e) => backupCodesRegeneratedMail(e)],
  ['backupCodeUsedMail', (e) => backupCodeUsedMail(e, 3)],
];
const templates: [string, Build][] = [...linked, ['passwordChangedMail', (e) => passwordChangedMail(e)], ...mfaNotices];

describe.each(linked)('%s', (_name, build) => {
  it('carries the link in both versions', () => {
    const mail = build({ to });
    expect(mail.text).toContain(link);
    expect(mail.html).toContain(`href="${escapeHtml(link)}"`);
  });
});

describe.each(templates)('%s', (_name, build) => {
  it('is addressed to the recipient with a subject, a text and an HTML version', () => {
    const mail = build({ to });
    expect(mail.to).toBe(to);
    expect(mail.subject.length).toBeGreaterThan(5);
    expect(mail.text).toContain(to);
    expect(mail.html).toContain(escapeHtml(to));
    expect(mail.html).toMatch(/^<!doctype html>/);
  });

  it('keeps hostile names and addresses inert in HTML and out of the subject', () => {
    const evilTo = `"${hostile}"@example.com`;
    const mail = build({ to: evilTo, name: hostile });
    expect(mail.html).not.toContain('<script');
    expect(mail.html).not.toContain('<img');
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img');
    expect(mail.subject).not.toContain('script');
    expect(mail.subject).toBe(build({ to }).subject);
    expect(mail.text).toContain(`Hello ${hostile},`);
  });

  it('loads nothing from elsewhere: no images, scripts, stylesheets or frames', () => {
    const html = build({ to, name: 'Ada' }).html;
    expect(html).not.toMatch(/<(img|script|link|iframe|object|embed|style)\b/i);
    expect(html).not.toMatch(/\bsrc=/i);
    expect(html).not.toMatch(/url\(/i);
  });

  it('cannot be given extra lines through the name', () => {
    const mail = build({ to, name: 'Ada\r\n\r\nYour account was deleted' });
    expect(mail.text.split('\n')[0]).toBe('Hello Ada Your account was deleted,');
  });
});

describe('the mails say what the user needs to know', () => {
  it('verification asks to confirm the e-mail address', () => {
    expect(verificationMail({ to, link }).subject).toBe('Confirm your e-mail address');
  });

  it('password reset states the expiry and tells the user to ignore a request they did not make', () => {
    const mail = passwordResetMail({ to, link, expiresInMinutes: 60 });
    expect(mail.text).toContain('expires in 1 hour');
    expect(mail.html).toContain('expires in 1 hour');
    expect(mail.text).toMatch(/didn't ask.*ignore/);
  });

  it('account locked says why, until when (UTC), and that a password reset unlocks it', () => {
    const mail = accountLockedMail({ to, lockedUntil: new Date('2030-05-06T07:08:09Z'), resetLink: link });
    expect(mail.text).toContain('repeated failed sign-in attempts');
    expect(mail.text).toContain('2030-05-06 07:08 UTC');
    expect(mail.text).toContain('Resetting your password unlocks it');
  });

  it('password changed tells the user to reset the password if it was not them', () => {
    const mail = passwordChangedMail({ to, changedAt: new Date('2030-01-02T03:04:00Z') });
    expect(mail.text).toContain('2030-01-02 03:04 UTC');
    expect(mail.text).toContain("If this wasn't you, reset your password");
  });

  it.each(mfaNotices)('%s tells the owner to act if it was not them', (_name, build) => {
    expect(build({ to }).text).toContain("If this wasn't you, reset your password");
  });

  it('a used backup code says how many are left', () => {
    expect(backupCodeUsedMail({ to }, 1).text).toContain('1 unused code is left');
    expect(backupCodeUsedMail({ to }, 6).text).toContain('6 unused codes are left');
  });

  it('durations read naturally', () => {
    expect([formatDuration(60), formatDuration(120), formatDuration(30), formatDuration(1), formatDuration(90)]).toEqual([
      '1 hour',
      '2 hours',
      '30 minutes',
      '1 minute',
      '90 minutes',
    ]);
  });
});

describe('links', () => {
  it.each(['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', '/relative/path', 'not a url'])(
    'refuses %s, which would be live (or broken) in an href',
    (bad) => {
      expect(() => verificationMail({ to, link: bad })).toThrow(/link/);
      expect(() => accountLockedMail({ to, lockedUntil: new Date(), resetLink: bad })).toThrow(/link/);
    },
  );
});
