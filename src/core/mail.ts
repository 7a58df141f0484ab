import { describeError } from './logger';
import type { CoreDeps, RequestContext } from './deps';
import type { MailMessage } from './ports';

/** Sends after the response; a failed delivery is logged (without the message body: it holds a link token). */
export function sendLater(deps: CoreDeps, ctx: RequestContext, message: MailMessage) {
  ctx.defer(async () => {
    try {
      await deps.mailer.send(message);
    } catch (error) {
      deps.logger.error('mail delivery failed', { to: message.to, subject: message.subject, err: describeError(error) });
    }
  });
}

