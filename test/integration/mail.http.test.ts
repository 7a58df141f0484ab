// The HTTP transport (the one Workers use) against the local mail API sink, and against APIs that fail.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpMailer } from '../../src/adapters/mail/http';
import { MAIL_SINK_TOKEN, startMailSink, type SunkMail } from '../../scripts/bridges/mail-sink';
import { CONTRACT_FROM, describeMailerContract } from './mail.contract';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function sunk(messagesUrl: string, to?: string): Promise<SunkMail[]> {
  const url = new URL(messagesUrl);
  if (to) url.searchParams.set('to', to);
  return ((await (await fetch(url)).json()) as { messages: SunkMail[] }).messages;
}

async function sink() {
  const started = await startMailSink();
  cleanups.push(() => started.close());
  return started;
}

/** A mail API that answers every request with `respond`, counting the requests and the bearer tokens it saw. */
async function api(respond: (res: ServerResponse) => void) {
  const seen: (string | undefined)[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers.authorization);
    req.resume();
    respond(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mail`, seen };
}

const message = { to: 'ada@example.test', subject: 'Hello', text: 'Hello Ada\n', html: '<p>Hello Ada</p>' };

describeMailerContract('http', async () => {
  const server = await startMailSink();
  return {
    mailer: createHttpMailer({ url: server.url, token: MAIL_SINK_TOKEN, from: CONTRACT_FROM }),
    carriesSender: true,
    async received(to) {
      return (await sunk(server.messagesUrl)).filter((m) => m.to.includes(to));
    },
    close: () => server.close(),
  };
});

describe('HTTP mail transport', () => {
  it('posts from, to, subject, text and html as JSON with the bearer token', async () => {
    const server = await sink();
    await createHttpMailer({ url: server.url, token: MAIL_SINK_TOKEN, from: CONTRACT_FROM }).send(message);
    const [mail, ...more] = await sunk(server.messagesUrl, 'ada@example.test');
    expect(more).toEqual([]);
    expect(mail).toMatchObject({ from: CONTRACT_FROM, ...message });
    expect(Object.keys(mail!).sort()).toEqual(['from', 'html', 'receivedAt', 'subject', 'text', 'to']);
  });

  it('rejects when the API refuses the token (401)', async () => {
    const server = await sink();
    await expect(createHttpMailer({ url: server.url, token: 'wrong', from: CONTRACT_FROM }).send(message)).rejects.toThrow(/401/);
    expect(await sunk(server.messagesUrl)).toEqual([]);
  });

  it('rejects when the API fails (500), without repeating what the API said', async () => {
    const failing = await api((res) => {
      res.statusCode = 500;
      res.end(`internal error, token was ${MAIL_SINK_TOKEN}`);
    });
    const sending = createHttpMailer({ url: failing.url, token: MAIL_SINK_TOKEN, from: CONTRACT_FROM }).send(message);
    await expect(sending).rejects.toThrow('mail API answered 500');
    await expect(sending).rejects.not.toThrow(MAIL_SINK_TOKEN);
    expect(failing.seen).toEqual([`Bearer ${MAIL_SINK_TOKEN}`]);
  });

  it('does not follow a redirect, so the token never reaches another address', async () => {
    const target = await sink();
    const redirecting = await api((res) => {
      res.statusCode = 307;
      res.setHeader('location', target.url);
      res.end();
    });
    await expect(createHttpMailer({ url: redirecting.url, token: MAIL_SINK_TOKEN, from: CONTRACT_FROM }).send(message)).rejects.toThrow(/307/);
    expect(await sunk(target.messagesUrl)).toEqual([]);
  });

  it('gives up on an API that never answers instead of hanging', async () => {
    const silent = await api(() => {});
    const mailer = createHttpMailer({ url: silent.url, token: MAIL_SINK_TOKEN, from: CONTRACT_FROM, timeoutMs: 500 });
    await expect(mailer.send(message)).rejects.toMatchObject({ name: 'TimeoutError' });
  });
});
