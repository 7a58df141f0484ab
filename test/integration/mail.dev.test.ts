// The dev mailbox (npm start with nothing configured; GET /dev/mailbox reads it) and the Node choice of transport.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { createDevMailbox, isDevMailbox } from '../../src/adapters/mail/dev-mailbox';
import { createNodeMailer } from '../../src/runtime/node-mailer';
import { MAIL_SINK_TOKEN, startMailSink } from '../../scripts/bridges/mail-sink';
import { describeMailerContract } from './mail.contract';
import { startSmtpSink } from './mail.smtp-sink';

describeMailerContract('dev mailbox', async () => {
  const mailbox = createDevMailbox();
  return {
    mailer: mailbox,
    carriesSender: false,
    async received(to) {
      return mailbox.list(to).map(({ to, subject, text, html }) => ({ from: undefined, to, subject, text, html }));
    },
    close: async () => {},
  };
});

const mail = (to: string, subject: string) => ({ to, subject, text: `${subject}\n`, html: `<p>${subject}</p>` });

describe('dev mailbox', () => {
  it('lists newest first, for one recipient or all, stamped with the injected clock', async () => {
    let nowMs = Date.parse('2030-01-01T00:00:00Z');
    const mailbox = createDevMailbox({ now: () => nowMs });
    await mailbox.send(mail('ada@example.test', 'first'));
    nowMs += 1000;
    await mailbox.send(mail('bob@example.test', 'second'));
    await mailbox.send(mail('ada@example.test', 'third'));
    expect(mailbox.list('ada@example.test').map((m) => m.subject)).toEqual(['third', 'first']);
    expect(mailbox.list().map((m) => [m.subject, m.createdAt])).toEqual([
      ['third', '2030-01-01T00:00:01.000Z'],
      ['second', '2030-01-01T00:00:01.000Z'],
      ['first', '2030-01-01T00:00:00.000Z'],
    ]);
  });

  it('keeps only the newest `capacity` mails', async () => {
    const mailbox = createDevMailbox({ capacity: 2 });
    for (const subject of ['one', 'two', 'three']) await mailbox.send(mail('ada@example.test', subject));
    expect(mailbox.list().map((m) => m.subject)).toEqual(['three', 'two']);
  });

  it('hands out copies: a reader cannot change what is stored', async () => {
    const mailbox = createDevMailbox();
    await mailbox.send(mail('ada@example.test', 'original'));
    mailbox.list()[0]!.subject = 'changed';
    expect(mailbox.list()[0]!.subject).toBe('original');
  });
});

describe('createNodeMailer', () => {
  const nodeConfig = (env: Record<string, string>) => loadConfig(env, 'node').mail;
  const now = () => Date.now();

  it('uses the listable dev mailbox when no transport is configured', async () => {
    const mailer = createNodeMailer(nodeConfig({}), { now });
    expect(mailer.kind).toBe('dev');
    expect(isDevMailbox(mailer)).toBe(true);
    await mailer.send(mail('ada@example.test', 'hi'));
    expect(isDevMailbox(mailer) && mailer.list('ada@example.test').map((m) => m.subject)).toEqual(['hi']);
    await mailer.close();
  });

  it('sends through SMTP_URL with MAIL_FROM as the sender', async () => {
    const server = await startSmtpSink();
    const mailer = createNodeMailer(nodeConfig({ SMTP_URL: `smtp://127.0.0.1:${server.port}`, MAIL_FROM: 'Auth <auth@example.test>' }), { now });
    try {
      expect(mailer.kind).toBe('smtp');
      expect(isDevMailbox(mailer)).toBe(false);
      await mailer.send(mail('ada@example.test', 'over smtp'));
      expect(server.messages.map((m) => [m.from?.address, m.envelopeTo, m.subject])).toEqual([['auth@example.test', ['ada@example.test'], 'over smtp']]);
    } finally {
      await mailer.close();
      await server.close();
    }
  });

  it('sends through MAIL_HTTP_URL with MAIL_HTTP_TOKEN', async () => {
    const sink = await startMailSink();
    const mailer = createNodeMailer(nodeConfig({ MAIL_TRANSPORT: 'http', MAIL_HTTP_URL: sink.url, MAIL_HTTP_TOKEN: MAIL_SINK_TOKEN }), { now });
    try {
      expect(mailer.kind).toBe('http');
      await mailer.send(mail('ada@example.test', 'over http'));
      const { messages } = (await (await fetch(sink.messagesUrl)).json()) as { messages: { subject: string }[] };
      expect(messages.map((m) => m.subject)).toEqual(['over http']);
    } finally {
      await mailer.close();
      await sink.close();
    }
  });
});
