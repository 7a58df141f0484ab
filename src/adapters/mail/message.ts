import type { MailMessage } from '../../core/ports';

// Shared by every transport (Workers included: no node:* imports), so a message one transport refuses is refused by
// all of them and the dev mailbox shows the same failures production would have.

export class MailRefusedError extends Error {
  override name = 'MailRefusedError';
}

// Control characters (CR/LF above all) in a header value could start a new header (Bcc: ...) on the wire.
const CONTROL = /[\u0000-\u001f\u007f]/;
// Exactly one bare address: no display name, no list (",", ";"), no quoting or comments, nothing for an SMTP client
// or mail API to parse into a second recipient.
const ONE_ADDRESS = /^[^\s@,;<>()[\]\\":]+@[^\s@,;<>()[\]\\":]+$/u;
const MAX_ADDRESS_LENGTH = 254;

/** Throws MailRefusedError unless `to` is one plain address and no header value carries control characters. */
export function assertSendable(message: MailMessage): void {
  const { to, subject, text, html } = message;
  if (typeof to !== 'string' || to.length > MAX_ADDRESS_LENGTH || CONTROL.test(to) || !ONE_ADDRESS.test(to)) {
    throw new MailRefusedError('mail refused: the recipient is not one plain e-mail address');
  }
  if (typeof subject !== 'string' || subject.trim() === '' || CONTROL.test(subject)) {
    throw new MailRefusedError('mail refused: the subject is empty or contains control characters');
  }
  if (typeof text !== 'string' || typeof html !== 'string') {
    throw new MailRefusedError('mail refused: text and html bodies are required');
  }
}

/** The configured sender (MAIL_FROM) is a header too; a bad one is a configuration error caught at start-up. */
export function assertSender(from: string): string {
  if (CONTROL.test(from) || from.trim() === '') throw new MailRefusedError('MAIL_FROM must be one line');
  return from;
}
