import type { MailMessage, Mailer } from '../../core/ports';
import { assertSendable } from './message';

export interface StoredMail extends MailMessage {
  id: string;
  createdAt: string;
}

export interface DevMailbox extends Mailer {
  readonly kind: 'dev';
  /** Newest first; only the mails to `to` when given. */
  list(to?: string): StoredMail[];
}

/** Development transport: keeps the last `capacity` mails in memory for GET /dev/mailbox. Never used in production. */
export function createDevMailbox(options: { capacity?: number; now?: () => number } = {}): DevMailbox {
  const capacity = options.capacity ?? 500;
  const now = options.now ?? Date.now;
  const messages: StoredMail[] = [];
  return {
    kind: 'dev',
    async send(message) {
      assertSendable(message);
      const { to, subject, text, html } = message;
      messages.unshift({ to, subject, text, html, id: crypto.randomUUID(), createdAt: new Date(now()).toISOString() });
      messages.length = Math.min(messages.length, capacity);
    },
    list(to) {
      return (to ? messages.filter((m) => m.to === to) : messages).map((m) => ({ ...m }));
    },
  };
}

/** For GET /dev/mailbox: the configured mailer is only listable when it is the dev mailbox. */
export function isDevMailbox(mailer: Mailer): mailer is DevMailbox {
  return mailer.kind === 'dev' && typeof (mailer as Partial<DevMailbox>).list === 'function';
}
