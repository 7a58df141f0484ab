// A local receiver for the HTTP mail transport (src/adapters/mail/http.ts), where the Workers build sends its mail
// in tests and under `npm run dev:bridges`: POST /mail stores a message (bearer token required, as the transport
// sends it), GET /messages?to= lists them newest first.
import { createServer } from 'node:http';
import { listenOnLoopback, readText, sendJson } from './http';

export interface SunkMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  receivedAt: string;
}

export const MAIL_SINK_TOKEN = 'mail-sink-token';

export interface MailSink {
  /** What to set as MAIL_HTTP_URL. */
  url: string;
  messagesUrl: string;
  close(): Promise<void>;
}

export async function startMailSink(
  options: { token?: string; port?: number; onMail?: (mail: SunkMail) => void } = {},
): Promise<MailSink> {
  const token = options.token ?? MAIL_SINK_TOKEN;
  const messages: SunkMail[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sink');
    if (req.method === 'GET' && url.pathname === '/messages') {
      const to = url.searchParams.get('to');
      return sendJson(res, 200, { messages: messages.filter((m) => !to || m.to === to) });
    }
    if (req.method !== 'POST' || url.pathname !== '/mail') return sendJson(res, 404, { error: 'not found' });
    if (req.headers.authorization !== `Bearer ${token}`) return sendJson(res, 401, { error: 'unauthorized' });
    readText(req)
      .then((text) => {
        const mail = { ...(JSON.parse(text) as Omit<SunkMail, 'receivedAt'>), receivedAt: new Date().toISOString() };
        messages.unshift(mail);
        options.onMail?.(mail);
        sendJson(res, 202, { accepted: true });
      })
      .catch(() => sendJson(res, 400, { error: 'expected a JSON message' }));
  });
  const { port, close } = await listenOnLoopback(server, options.port);
  return { url: `http://127.0.0.1:${port}/mail`, messagesUrl: `http://127.0.0.1:${port}/messages`, close };
}
