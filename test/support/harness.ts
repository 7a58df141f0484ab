import type { OAuthProvider } from '../../src/core/ports';
import type { AppDeps } from '../../src/http/env';
import type { TestClock } from './clock';

// The HTTP suite (test/http) runs unchanged on Node and inside workerd; `#harness` resolves to the runtime's
// implementation of this interface.

export interface RequestOptions extends Omit<RequestInit, 'body'> {
  /** The client address this request comes from (set through the runtime's trusted mechanism). */
  ip?: string;
  /** Sent as the JSON body with Content-Type: application/json. */
  json?: unknown;
  body?: BodyInit | null;
  /** Bearer token for Authorization. */
  token?: string;
}

export interface ReceivedMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Harness {
  runtime: 'node' | 'workerd';
  /** Where a real client (a browser) reaches the app; Node only (workerd tests call the app in-process). */
  baseUrl?: string;
  /** Mail the service sent to `to`, newest first (dev mailbox on Node, the HTTP transport's sink in workerd). */
  mailbox(to: string): Promise<ReceivedMail[]>;
  request(path: string, options?: RequestOptions): Promise<Response>;
  clock: TestClock;
  deps: AppDeps;
  /** Every log line the app wrote (captured at debug level, printed nowhere). */
  logs: string[];
  /** Read-only inspection of the database behind the app (what is stored at rest), rows as objects. */
  query(text: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/**
 * Which database a harness runs on where the runtime has a choice: Node runs on PGlite by default and on the real
 * PostgreSQL (node-postgres) on request; workerd always runs on the real PostgreSQL through the Neon HTTP bridge.
 */
export type HarnessDatabase = 'pglite' | 'postgres';

export interface HarnessOptions {
  database?: HarnessDatabase;
  /** Sign-in providers instead of the configured ones (another implementation of the OAuth port). */
  oauthProviders?: OAuthProvider[];
  /** Node: listen on this loopback port (a browser test that needs APP_URL to be the real address); default any. */
  port?: number;
}

/** Settings every harness starts from; a test may override any of them. Argon2 is cheaper than production for speed. */
export const baseTestEnv: Record<string, string> = {
  NODE_ENV: 'test',
  APP_URL: 'http://authgate.test',
  JWT_AUDIENCE: 'authgate-test',
  ARGON2_MEMORY_KIB: '4096',
  ARGON2_ITERATIONS: '1',
  LOG_LEVEL: 'silent',
};

let ipCounter = 0;
/** A fresh client address per call, so rate-limit buckets of different tests never meet. */
export function uniqueIp(): string {
  ipCounter += 1;
  const seed = Math.floor(Math.random() * 200) + 1;
  return `10.${seed}.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
}

/** Without an explicit `ip`, every request comes from a new address, so rate limits only bite where a test means it. */
export function buildRequestInit(options: RequestOptions, ipHeader: string): RequestInit {
  const headers = new Headers(options.headers);
  headers.set(ipHeader, options.ip ?? uniqueIp());
  if (options.token) headers.set('authorization', `Bearer ${options.token}`);
  let body = options.body;
  if (options.json !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(options.json);
  }
  const { json: _json, ip: _ip, token: _token, ...rest } = options;
  return { ...rest, headers, body: body ?? null };
}
