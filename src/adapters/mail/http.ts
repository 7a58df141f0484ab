import type { MailMessage, Mailer } from '../../core/ports';
import { assertSender, assertSendable } from './message';

export interface HttpMailerOptions {
  url: string;
  token?: string | undefined;
  from: string;
  fetch?: typeof fetch;
  /** Whole request deadline, so a stalled mail API cannot hold a request of ours open. */
  timeoutMs?: number;
}

/**
 * HTTP mail transport, usable from Workers: POSTs the message as JSON with a bearer token to MAIL_HTTP_URL.
 * The body `{from, to, subject, text, html}` is what most transactional mail APIs (or a tiny relay in front of one) take.
 */
export function createHttpMailer(options: HttpMailerOptions): Mailer {
  const doFetch = options.fetch ?? fetch;
  const from = assertSender(options.from);
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    kind: 'http',
    async send(message: MailMessage) {
      assertSendable(message);
      const { to, subject, text, html } = message;
      const response = await doFetch(options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
        body: JSON.stringify({ from, to, subject, text, html }),
        signal: AbortSignal.timeout(timeoutMs),
        // A redirect would re-send the bearer token somewhere we were not configured to talk to.
        redirect: 'manual',
      });
      // The body may echo the message or the token; only the status is worth reporting.
      await response.body?.cancel();
      if (response.status < 200 || response.status > 299) throw new Error(`mail API answered ${response.status}`);
    },
  };
}
