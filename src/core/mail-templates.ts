// The mails the service sends, each a pure function returning the plain-text and HTML versions of one message.
// Both versions are rendered from the same pieces, so they always say the same thing and carry the same link.
// Links come in already built from APP_URL; subjects are fixed strings (nothing user-controlled reaches a header).
import type { MailMessage } from './ports';

interface Recipient {
  to: string;
  /** Greets by name when given; it is the user's own text, so it is escaped in HTML like everything else. */
  name?: string | null;
}

interface Content {
  subject: string;
  paragraphs: string[];
  action?: { label: string; link: string };
  after: string[];
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** A link must be an absolute http(s) URL: anything else (javascript:, data:) would be live in an href. */
function checkedLink(link: string): string {
  let protocol: string;
  try {
    protocol = new URL(link).protocol;
  } catch {
    throw new Error('mail link is not an absolute URL');
  }
  if (protocol !== 'https:' && protocol !== 'http:') throw new Error('mail link must be http(s)');
  return link;
}

/** User text on one line: control characters (CR/LF too) become spaces so nothing can fake extra lines. */
function oneLine(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

function greeting(name: string | null | undefined): string {
  const clean = name ? oneLine(name) : '';
  return clean ? `Hello ${clean},` : 'Hello,';
}

/** "2025-03-01 14:05 UTC": unambiguous whatever the reader's time zone. */
export function formatUtc(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new Error('mail date is invalid');
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function formatDuration(minutes: number): string {
  if (!Number.isInteger(minutes) || minutes <= 0) throw new Error('duration must be a positive whole number of minutes');
  const hours = minutes / 60;
  if (Number.isInteger(hours)) return hours === 1 ? '1 hour' : `${hours} hours`;
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

function render(recipient: Recipient, content: Content): MailMessage {
  const hello = greeting(recipient.name);
  const action = content.action ? { ...content.action, link: checkedLink(content.action.link) } : undefined;
  const text = [
    hello,
    ...content.paragraphs,
    ...(action ? [`${action.label}:\n${action.link}`] : []),
    ...content.after,
  ].join('\n\n');
  const p = (line: string) => `<p style="margin:0 0 16px">${escapeHtml(line)}</p>`;
  const button = action
    ? `<p style="margin:24px 0"><a href="${escapeHtml(action.link)}" style="background:#1f4fd1;color:#ffffff;` +
      `padding:12px 20px;border-radius:6px;text-decoration:none;display:inline-block">${escapeHtml(action.label)}</a></p>` +
      `<p style="margin:0 0 16px;font-size:13px;color:#555555">If the button does not work, copy this link into your browser:<br>` +
      `<span style="word-break:break-all">${escapeHtml(action.link)}</span></p>`
    : '';
  const html =
    `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(content.subject)}</title></head>` +
    `<body style="margin:0;padding:24px;background:#f5f5f5;font-family:Arial,Helvetica,sans-serif;color:#222222">` +
    `<div style="max-width:560px;margin:0 auto;background:#ffffff;padding:24px;border-radius:8px;line-height:1.5">` +
    [hello, ...content.paragraphs].map(p).join('') +
    button +
    content.after.map(p).join('') +
    `</div></body></html>`;
  return { to: recipient.to, subject: content.subject, text: `${text}\n`, html };
}

export function verificationMail(input: Recipient & { link: string }): MailMessage {
  return render(input, {
    subject: 'Confirm your e-mail address',
    paragraphs: [`Please confirm that ${input.to} is your e-mail address by opening the link below.`],
    action: { label: 'Confirm e-mail address', link: input.link },
    after: ['If you did not create an account, you can ignore this e-mail.'],
  });
}

export function passwordResetMail(input: Recipient & { link: string; expiresInMinutes: number }): MailMessage {
  return render(input, {
    subject: 'Reset your password',
    paragraphs: [
      `Someone asked to reset the password of the account for ${input.to}.`,
      `The link below works once and expires in ${formatDuration(input.expiresInMinutes)}.`,
    ],
    action: { label: 'Choose a new password', link: input.link },
    after: ["If you didn't ask for this, ignore this e-mail: your password stays as it is."],
  });
}

export function accountLockedMail(input: Recipient & { lockedUntil: Date; resetLink: string }): MailMessage {
  return render(input, {
    subject: 'Your account was locked',
    paragraphs: [
      `Your account (${input.to}) was locked after repeated failed sign-in attempts.`,
      `It stays locked until ${formatUtc(input.lockedUntil)}. Resetting your password unlocks it right away.`,
    ],
    action: { label: 'Reset your password', link: input.resetLink },
    after: ['If the failed attempts were not yours, someone may be guessing your password: choose a new, unique one.'],
  });
}

export function passwordChangedMail(input: Recipient & { changedAt?: Date; resetLink?: string }): MailMessage {
  const when = input.changedAt ? ` on ${formatUtc(input.changedAt)}` : '';
  return render(input, {
    subject: 'Your password was changed',
    paragraphs: [`The password of your account (${input.to}) was changed${when}.`],
    ...(input.resetLink ? { action: { label: 'Reset your password', link: input.resetLink } } : {}),
    after: ["If this wasn't you, reset your password right away and review your account's active sessions."],
  });
}

/** A change to the account's security that its owner must hear about (MFA on or off, backup codes); no link. */
export function securityNoticeMail(input: Recipient & { subject: string; happened: string }): MailMessage {
  return render(input, {
    subject: input.subject,
    paragraphs: [input.happened],
    after: ["If this wasn't you, reset your password right away and review your account's active sessions."],
  });
}
