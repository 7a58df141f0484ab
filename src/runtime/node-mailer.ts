import type { Config } from '../config';
import type { Mailer } from '../core/ports';
import { createDevMailbox } from '../adapters/mail/dev-mailbox';
import { createHttpMailer } from '../adapters/mail/http';
import { createSmtpMailer } from '../adapters/mail/smtp';

export type NodeMailer = Mailer & {
  /** Releases the transport's connections (SMTP pool); nothing to do for the others. */
  close(): Promise<void>;
};

/**
 * The Node mail transport chosen by the settings: SMTP, the HTTP API, or the in-memory dev mailbox (listable with
 * isDevMailbox for GET /dev/mailbox). loadConfig has already checked that the chosen transport's URL is set.
 */
export function createNodeMailer(config: Config['mail'], options: { now: () => number }): NodeMailer {
  switch (config.transport) {
    case 'smtp': {
      if (!config.smtpUrl) throw new Error('MAIL_TRANSPORT=smtp needs SMTP_URL');
      return createSmtpMailer({ url: config.smtpUrl, from: config.from });
    }
    case 'http': {
      if (!config.httpUrl) throw new Error('MAIL_TRANSPORT=http needs MAIL_HTTP_URL');
      const mailer = createHttpMailer({ url: config.httpUrl, token: config.httpToken, from: config.from });
      return Object.assign(mailer, { close: async () => {} });
    }
    case 'dev':
      return Object.assign(createDevMailbox({ now: options.now }), { close: async () => {} });
  }
}
