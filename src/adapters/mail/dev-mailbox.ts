import type { MailMessage, Mailer } from '../../core/ports';

export interface StoredMail extends MailMessage {
  id: string;
  createdAt: string;
}

export interface DevMailbox extends Mailer {
  /** Newest first. */
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
      messages.unshift({ ...message, id: crypto.randomUUID(), createdAt: new Date(now()).toISOString() });
      messages.length = Math.min(messages.length, capacity);
    },
    list(to) {
      return to ? messages.filter((m) => m.to === to) : [...messages];
    },
  };
}
