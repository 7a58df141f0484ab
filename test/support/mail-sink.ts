// A local receiver for the HTTP mail transport (src/adapters/mail/http.ts) so workerd tests can read what the
// service sent: POST /mail stores a message, GET /messages?to= lists them newest first. It checks the bearer token
// the transport must send.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SunkMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  receivedAt: string;
}

export const MAIL_SINK_TOKEN = 'mail-sink-token';

export async function startMailSink(): Promise<{ url: string; messagesUrl: string; close(): Promise<void> }> {
  const messages: SunkMail[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sink');
    if (req.method === 'GET' && url.pathname === '/messages') {
      const to = url.searchParams.get('to');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ messages: messages.filter((m) => !to || m.to === to) }));
      return;
    }
    if (req.method !== 'POST' || url.pathname !== '/mail') {
      res.statusCode = 404;
      res.end();
      return;
    }
    if (req.headers.authorization !== `Bearer ${MAIL_SINK_TOKEN}`) {
      res.statusCode = 401;
      res.end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Omit<SunkMail, 'receivedAt'>;
        messages.unshift({ ...body, receivedAt: new Date().toISOString() });
        res.statusCode = 202;
        res.end();
      } catch {
        res.statusCode = 400;
        res.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mail`,
    messagesUrl: `http://127.0.0.1:${port}/messages`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
