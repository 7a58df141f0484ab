// A real SMTP server on 127.0.0.1 (the smtp-server package speaks the protocol; nodemailer talks to it over TCP) that
// keeps what it received, parsed as a mail client would (mailparser), for the SMTP transport's tests.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SmtpReceived {
  envelopeFrom: string;
  envelopeTo: string[];
  /** The user the session authenticated as, if any. */
  authUser: string | undefined;
  /** True when the message travelled over TLS (STARTTLS or implicit). */
  secure: boolean;
  from: { name: string; address: string } | undefined;
  to: string[];
  subject: string | undefined;
  text: string | undefined;
  html: string | false | undefined;
  /** Header names as they arrived, lower-case, in order. */
  headerNames: string[];
}

export interface SmtpSinkOptions {
  /** Accepted logins; without it the server takes mail without AUTH. */
  users?: Record<string, string>;
  /** PEM key and certificate: the server then offers STARTTLS with them. Without them it offers no STARTTLS. */
  tls?: { key: string; cert: string };
  /** Holds every message this long before accepting it (a slow mail server): it counts as received only then. */
  holdMs?: number;
}

export interface SmtpSink {
  port: number;
  /** Newest first. */
  messages: SmtpReceived[];
  authAttempts: number;
  close(): Promise<void>;
}

export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const messages: SmtpReceived[] = [];
  const sink = { messages, authAttempts: 0 };
  const users = options.users;
  const closedSessions = new Set<string>();
  const server = new SMTPServer({
    ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : {}),
    // Without TLS in the test, AUTH must still be allowed over the plain loopback connection.
    allowInsecureAuth: !options.tls,
    authOptional: !users,
    authMethods: ['PLAIN', 'LOGIN'],
    // Without a certificate of ours STARTTLS is not offered at all (hiding it is not enough: it would still answer).
    disabledCommands: [...(options.tls ? [] : ['STARTTLS']), ...(users ? [] : ['AUTH'])],
    logger: false,
    onClose(session) {
      closedSessions.add(session.id);
    },
    onAuth(auth, _session, callback) {
      sink.authAttempts += 1;
      if (users && auth.username !== undefined && users[auth.username] === auth.password) callback(null, { user: auth.username });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      simpleParser(stream).then(
        async (parsed) => {
          if (options.holdMs) await new Promise((resolve) => setTimeout(resolve, options.holdMs));
          // A client that hung up meanwhile never heard the message accepted: it was not delivered.
          if (closedSessions.has(session.id)) return callback(new Error('client gone'));
          const to = [parsed.to ?? []].flat().flatMap((group) => group.value.map((a) => a.address ?? ''));
          const sender = parsed.from?.value[0];
          messages.unshift({
            envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            envelopeTo: session.envelope.rcptTo.map((r) => r.address),
            authUser: session.user as string | undefined,
            secure: session.secure,
            from: sender ? { name: sender.name, address: sender.address ?? '' } : undefined,
            to,
            subject: parsed.subject,
            text: parsed.text,
            html: parsed.html,
            headerNames: parsed.headerLines.map((h) => h.key),
          });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.server.address() as AddressInfo).port,
    messages,
    get authAttempts() {
      return sink.authAttempts;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A loopback port where nothing listens. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A throwaway certificate for 127.0.0.1, made with the openssl command line tool. */
export function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'authgate-smtp-tls-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
