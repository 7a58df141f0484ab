import type { MailMessage, Mailer } from '../../core/ports';

/**
 * HTTP mail transport, usable from Workers: POSTs the message as JSON with a bearer token to MAIL_HTTP_URL.
 * The body `{from, to, subject, text, html}` is what most transactional mail APIs (or a tiny relay in front of one) take.
 */
export function createHttpMailer(options: { url: string; token?: string | undefined; from: string; fetch?: typeof fetch }): Mailer {
  const doFetch = options.fetch ?? fetch;
  return {
    kind: 'http',
    async send(message: MailMessage) {
      const response = await doFetch(options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
        body: JSON.stringify({ from: options.from, ...message }),
      });
      if (!response.ok) throw new Error(`mail API answered ${response.status}`);
    },
  };
}
