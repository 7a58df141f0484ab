// The SMTP transport against a real SMTP server on loopback: delivery with AUTH from the URL, STARTTLS when the URL
// requires it, and failures (bad login, dead or stalled server) that reject instead of hanging a request.
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createSmtpMailer, parseSmtpUrl, type SmtpMailer } from '../../src/adapters/mail/smtp';
import { CONTRACT_FROM, describeMailerContract } from './mail.contract';
import { closedPort, selfSignedCertificate, startSmtpSink, type SmtpReceived, type SmtpSink } from './mail.smtp-sink';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function sink(options: Parameters<typeof startSmtpSink>[0] = {}): Promise<SmtpSink> {
  const started = await startSmtpSink(options);
  cleanups.push(() => started.close());
  return started;
}

function mailer(url: string, extra: Partial<Parameters<typeof createSmtpMailer>[0]> = {}): SmtpMailer {
  const created = createSmtpMailer({ url, from: CONTRACT_FROM, ...extra });
  cleanups.push(() => created.close());
  return created;
}

const message = { to: 'ada@example.test', subject: 'Hello', text: 'Hello Ada\n', html: '<p>Hello Ada</p>' };
const delivered = (s: SmtpSink) => s.messages.map((m) => ({ to: m.envelopeTo, user: m.authUser, subject: m.subject }));

describeMailerContract('smtp', async () => {
  const server = await startSmtpSink({ users: { mailer: 'contract-pass' } });
  const smtp = createSmtpMailer({ url: `smtp://mailer:contract-pass@127.0.0.1:${server.port}`, from: CONTRACT_FROM });
  const seenBy = (to: string) => (m: SmtpReceived) => m.envelopeTo.includes(to) || m.to.includes(to);
  return {
    mailer: smtp,
    carriesSender: true,
    async received(to) {
      return server.messages.filter(seenBy(to)).map((m) => ({
        from: m.from ? `${m.from.name} <${m.from.address}>` : undefined,
        to: [...new Set([...m.envelopeTo, ...m.to])].join(', '),
        subject: m.subject ?? '',
        text: m.text ?? '',
        html: m.html || '',
      }));
    },
    async close() {
      await smtp.close();
      await server.close();
    },
  };
});

describe('SMTP transport', () => {
  it('logs in with the user and password from the URL, percent-decoded', async () => {
    const password = 'p@ss:w/rd %';
    const server = await sink({ users: { 'mail user': password } });
    await mailer(`smtp://mail%20user:${encodeURIComponent(password)}@127.0.0.1:${server.port}`).send(message);
    expect(delivered(server)).toEqual([{ to: ['ada@example.test'], user: 'mail user', subject: 'Hello' }]);
    expect(server.messages[0]!.envelopeFrom).toBe('no-reply@example.test');
  });

  it('rejects a wrong password and delivers nothing', async () => {
    const server = await sink({ users: { mailer: 'right' } });
    await expect(mailer(`smtp://mailer:wrong@127.0.0.1:${server.port}`).send(message)).rejects.toThrow(/auth|invalid/i);
    expect(server.messages).toEqual([]);
  });

  it('verify() checks the connection and login, and fails for a wrong login', async () => {
    const server = await sink({ users: { mailer: 'right' } });
    await expect(mailer(`smtp://mailer:right@127.0.0.1:${server.port}`).verify()).resolves.toBeUndefined();
    await expect(mailer(`smtp://mailer:wrong@127.0.0.1:${server.port}`).verify()).rejects.toThrow();
  });

  it('with ?requireTLS=true refuses a server that offers no STARTTLS, before sending the password', async () => {
    const server = await sink({ users: { mailer: 'secret' } });
    await expect(mailer(`smtp://mailer:secret@127.0.0.1:${server.port}?requireTLS=true`).send(message)).rejects.toThrow(/STARTTLS|TLS/i);
    expect(server.authAttempts).toBe(0);
    expect(server.messages).toEqual([]);
  });

  it('with ?requireTLS=true upgrades with STARTTLS, verifying the certificate, then logs in and delivers', async () => {
    const tls = selfSignedCertificate();
    const server = await sink({ users: { mailer: 'secret' }, tls });
    await mailer(`smtp://mailer:secret@127.0.0.1:${server.port}?requireTLS=true`, { ca: tls.cert }).send(message);
    expect(server.messages.map((m) => ({ secure: m.secure, user: m.authUser }))).toEqual([{ secure: true, user: 'mailer' }]);
  });

  it('refuses a server whose certificate it cannot verify', async () => {
    const server = await sink({ users: { mailer: 'secret' }, tls: selfSignedCertificate() });
    await expect(mailer(`smtp://mailer:secret@127.0.0.1:${server.port}?requireTLS=true`).send(message)).rejects.toThrow(/certificate/i);
    expect(server.authAttempts).toBe(0);
  });

  it('rejects when nothing listens on the port instead of hanging', async () => {
    await expect(mailer(`smtp://127.0.0.1:${await closedPort()}`).send(message)).rejects.toThrow(/ECONNREFUSED|connect/i);
  });

  it('gives up on a server that accepts the connection and never greets', async () => {
    const port = await rawServer(() => {});
    await expect(mailer(`smtp://127.0.0.1:${port}`, { timeoutMs: 500 }).send(message)).rejects.toThrow(/greeting|timeout/i);
  });

  it('gives up at the send deadline on a server that greets, then trickles an answer that never ends', async () => {
    const port = await rawServer((socket) => {
      socket.write('220 127.0.0.1 ESMTP\r\n');
      // Each line resets the socket-inactivity timer; only the whole-send deadline ends this.
      socket.once('data', () => {
        const timer = setInterval(() => socket.write('250-still here\r\n'), 100);
        socket.on('close', () => clearInterval(timer));
      });
    });
    await expect(mailer(`smtp://127.0.0.1:${port}`, { timeoutMs: 500, sendTimeoutMs: 1500 }).send(message)).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('SMTP_URL', () => {
  it('reads host, port, TLS mode and credentials, with the usual default ports', () => {
    // Logging in to a remote server requires STARTTLS unless the URL opts out; loopback servers don't need it.
    expect(parseSmtpUrl('smtp://u:p@mail.example.com')).toEqual({ host: 'mail.example.com', port: 587, secure: false, requireTLS: true, auth: { user: 'u', pass: 'p' } });
    expect(parseSmtpUrl('smtp://u:p@mail.example.com?requireTLS=false')).toMatchObject({ requireTLS: false });
    expect(parseSmtpUrl('smtp://u:p@127.0.0.1:2525')).toMatchObject({ requireTLS: false });
    expect(parseSmtpUrl('smtp://mail.example.com')).toMatchObject({ requireTLS: false });
    expect(parseSmtpUrl('smtps://mail.example.com')).toMatchObject({ port: 465, secure: true, auth: undefined });
    expect(parseSmtpUrl('smtp://[::1]:2525?requireTLS=true')).toMatchObject({ host: '::1', port: 2525, requireTLS: true });
  });

  it('refuses unknown or misspelt parameters rather than quietly sending without TLS', () => {
    expect(() => createSmtpMailer({ url: 'smtp://mail.example.com?requiretls=true', from: CONTRACT_FROM })).toThrow(/unknown parameter requiretls/);
    expect(() => createSmtpMailer({ url: 'smtp://mail.example.com?requireTLS=yes', from: CONTRACT_FROM })).toThrow(/true or false/);
    expect(() => createSmtpMailer({ url: 'http://mail.example.com', from: CONTRACT_FROM })).toThrow(/smtp/);
  });

  it('refuses a MAIL_FROM that spans lines', () => {
    expect(() => createSmtpMailer({ url: 'smtp://mail.example.com', from: 'a <a@example.test>\r\nBcc: b@example.test' })).toThrow(/MAIL_FROM/);
  });
});

/** A TCP server that misbehaves as `onConnection` says. */
async function rawServer(onConnection: (socket: Socket) => void): Promise<number> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return (server.address() as AddressInfo).port;
}
