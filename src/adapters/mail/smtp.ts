// SMTP transport (Node only): nodemailer's pooled SMTP client, configured from SMTP_URL.
import type { Transporter } from 'nodemailer';
import type { Mailer } from '../../core/ports';
import { assertSender, assertSendable } from './message';

export interface SmtpMailerOptions {
  /** smtp://user:pass@host:587 (STARTTLS when offered; required when logging in to a non-loopback host), smtps://... (TLS from the first byte); `?requireTLS=true` refuses to go on without STARTTLS. */
  url: string;
  from: string;
  /** Connect, greeting, DNS and socket-inactivity limit: a dead or silent server fails a send instead of hanging it. */
  timeoutMs?: number;
  /** Deadline for one whole send, queueing in the pool included: a server trickling replies never resets it. */
  sendTimeoutMs?: number;
  /** Extra trusted CA certificates (PEM), for a relay with a private CA. Certificates are always verified. */
  ca?: string;
}

export interface SmtpMailer extends Mailer {
  readonly kind: 'smtp';
  /** Connects and authenticates once: a start-up check of SMTP_URL. */
  verify(): Promise<void>;
  /** Closes the pooled connections. */
  close(): Promise<void>;
}

const DEFAULT_PORTS = { 'smtp:': 587, 'smtps:': 465 } as const;
const KNOWN_PARAMS = new Set(['requireTLS']);

/** Reads SMTP_URL. Unknown parameters are refused: a misspelt `requireTLS` must not quietly mean "TLS optional". */
export function parseSmtpUrl(url: string) {
  const parsed = new URL(url);
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') throw new Error('SMTP_URL must start with smtp:// or smtps://');
  if (!parsed.hostname) throw new Error('SMTP_URL has no host');
  for (const key of parsed.searchParams.keys()) {
    if (!KNOWN_PARAMS.has(key)) throw new Error(`SMTP_URL has an unknown parameter ${key} (known: requireTLS)`);
  }
  const requireTLS = parsed.searchParams.get('requireTLS');
  if (requireTLS !== null && requireTLS !== 'true' && requireTLS !== 'false') throw new Error('SMTP_URL requireTLS must be true or false');
  const user = decodeURIComponent(parsed.username);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  // Secure default: credentials never cross the network in clear text. Without an explicit requireTLS, STARTTLS is
  // required whenever we log in to a server that is not on this machine; `requireTLS=false` is the opt-out.
  const loopback = host === 'localhost' || host === '::1' || host.startsWith('127.');
  return {
    host,
    port: parsed.port ? Number(parsed.port) : DEFAULT_PORTS[parsed.protocol],
    secure: parsed.protocol === 'smtps:',
    requireTLS: requireTLS === null ? Boolean(user) && !loopback : requireTLS === 'true',
    auth: user ? { user, pass: decodeURIComponent(parsed.password) } : undefined,
  };
}

export function createSmtpMailer(options: SmtpMailerOptions): SmtpMailer {
  const from = assertSender(options.from);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const sendTimeoutMs = options.sendTimeoutMs ?? 3 * timeoutMs;
  // Read now, so a bad SMTP_URL fails here; nodemailer (60-odd module files) is loaded when the first mail or the
  // start-up check needs it, so a service that mails nothing (MAIL_TRANSPORT=dev) never loads it.
  const server = parseSmtpUrl(options.url);
  let transport: Promise<Transporter> | undefined;
  const settings = {
    ...server,
    pool: true as const,
    maxConnections: 3,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
    tls: { minVersion: 'TLSv1.2' as const, ...(options.ca ? { ca: options.ca } : {}) },
    // Messages are plain strings we built; never let a field be read from a file or fetched from a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
  };
  function open(): Promise<Transporter> {
    transport ??= import('nodemailer').then(
      ({ createTransport }) => createTransport(settings),
      (error: unknown) => {
        transport = undefined; // not remembered: the next mail tries again
        throw error;
      },
    );
    return transport;
  }
  return {
    kind: 'smtp',
    async send(message) {
      assertSendable(message);
      const { to, subject, text, html } = message;
      await (await open()).sendMail({ from, to, subject, text, html, signal: AbortSignal.timeout(sendTimeoutMs) });
    },
    async verify() {
      await (await open()).verify();
    },
    async close() {
      // A transport still being created is closed once it exists; where none was ever needed, none is made.
      (await transport?.catch(() => undefined))?.close();
    },
  };
}
