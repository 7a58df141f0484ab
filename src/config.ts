import { z } from 'zod';
import { bareOrigin, domainName, httpUrl, publicBaseUrl, wholeNumber } from './config-fields';
import { isRedirectUrl, parseOidcProviders, type OidcProviderConfig } from './config-oauth';

// The one place that reads settings. Names are part of the contract (DESIGN.md, "Settings").

export type Runtime = 'node' | 'workers';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const rate = z
  .string()
  .regex(/^\d+\/\d+$/, 'expected <requests>/<seconds>, e.g. 100/60')
  .transform((value) => {
    const [requests, windowSeconds] = value.split('/').map(Number) as [number, number];
    return { requests, windowSeconds };
  })
  .refine((r) => r.requests > 0 && r.windowSeconds > 0, 'both numbers must be positive');

const positiveInt = wholeNumber(1);
const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');
const optionalString = z.string().trim().min(1).optional();
const list = z
  .string()
  .optional()
  .transform((v) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean));
const origin = z.string().regex(/^https?:\/\/[^/\s]+$/, 'expected scheme://host[:port] with no path');
const redirectUrl = z.string().refine(isRedirectUrl, 'expected an absolute http(s) URL without credentials or fragment');
const hexKey = z.string().regex(/^[0-9a-fA-F]{64}$/, 'expected 64 hex characters (32 bytes)');

const schema = z.object({
  PORT: wholeNumber(1, 65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  APP_URL: publicBaseUrl.optional(),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATA_DIR: z.string().default('./.data'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// or postgresql:// URL').optional(),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL').optional(),
  UPSTASH_REDIS_REST_URL: httpUrl.optional(),
  UPSTASH_REDIS_REST_TOKEN: optionalString,
  JWT_PRIVATE_KEY: optionalString,
  JWT_PREVIOUS_PUBLIC_KEYS: optionalString,
  JWT_ISSUER: z.url().optional(),
  JWT_AUDIENCE: z.string().min(1).default('authgate'),
  ACCESS_TOKEN_TTL_SECONDS: positiveInt.default(900),
  REFRESH_TOKEN_TTL_SECONDS: positiveInt.default(604800),
  REFRESH_REUSE_GRACE_SECONDS: wholeNumber(0).default(10),
  MFA_ENCRYPTION_KEY: hexKey.optional(),
  ARGON2_MEMORY_KIB: wholeNumber(8).default(19456),
  ARGON2_ITERATIONS: positiveInt.default(2),
  ARGON2_PARALLELISM: wholeNumber(1, 16).default(1),
  RATE_LIMIT_GLOBAL: rate.prefault('100/60'),
  RATE_LIMIT_AUTH: rate.prefault('5/60'),
  LOCKOUT_THRESHOLD: positiveInt.default(5),
  LOCKOUT_SECONDS: positiveInt.default(900),
  TRUST_PROXY: list,
  CORS_ORIGINS: list.pipe(z.array(origin)),
  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: optionalString,
  ADMIN_MFA_REQUIRED: bool.default(true),
  MAIL_TRANSPORT: z.enum(['dev', 'smtp', 'http']).optional(),
  MAIL_FROM: z.string().min(3).default('authgate <no-reply@localhost>'),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'expected an smtp:// or smtps:// URL').optional(),
  MAIL_HTTP_URL: httpUrl.optional(),
  MAIL_HTTP_TOKEN: optionalString,
  GOOGLE_CLIENT_ID: optionalString,
  GOOGLE_CLIENT_SECRET: optionalString,
  GITHUB_CLIENT_ID: optionalString,
  GITHUB_CLIENT_SECRET: optionalString,
  OAUTH_REDIRECT_URL: redirectUrl.optional(),
  OAUTH_ALLOWED_REDIRECTS: list.pipe(z.array(redirectUrl)),
  WEBAUTHN_RP_ID: domainName.optional(),
  WEBAUTHN_RP_NAME: z.string().trim().min(1).max(64).default('authgate'),
  WEBAUTHN_ORIGINS: list.pipe(z.array(bareOrigin)),
  METRICS_TOKEN: optionalString,
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
});

export interface RateRule {
  requests: number;
  windowSeconds: number;
}

export interface Config {
  runtime: Runtime;
  port: number;
  host: string;
  appUrl: string;
  production: boolean;
  devRoutesEnabled: boolean;
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  upstash: { url: string; token: string } | undefined;
  jwt: {
    privateKey: string | undefined;
    previousPublicKeys: string | undefined;
    issuer: string;
    audience: string;
    accessTokenTtlSeconds: number;
  };
  refreshTokenTtlSeconds: number;
  refreshReuseGraceSeconds: number;
  mfaEncryptionKeyHex: string | undefined;
  argon2: { memoryKib: number; iterations: number; parallelism: number };
  rateLimit: { global: RateRule; auth: RateRule };
  lockout: { threshold: number; seconds: number };
  trustProxy: string[];
  corsOrigins: string[];
  admin: { email: string; password: string } | undefined;
  adminMfaRequired: boolean;
  mail: {
    transport: 'dev' | 'smtp' | 'http';
    from: string;
    smtpUrl: string | undefined;
    httpUrl: string | undefined;
    httpToken: string | undefined;
  };
  oauth: {
    google: { clientId: string; clientSecret: string } | undefined;
    github: { clientId: string; clientSecret: string } | undefined;
    /** OpenID providers by configuration (OIDC_PROVIDERS), in the order listed. */
    oidc: OidcProviderConfig[];
    /** Where the callback sends the browser with its one-time code (default: the demo page). */
    redirectUrl: string;
    /** Other exact URLs a sign-in may ask to return to (`redirectTo`). */
    allowedRedirects: string[];
  };
  /** The WebAuthn relying party: passkeys are scoped to `rpId` and accepted only from `origins`. */
  webauthn: { rpId: string; rpName: string; origins: string[] };
  metricsToken: string | undefined;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
}

type Env = Record<string, unknown>;

/**
 * WebAuthn scopes a credential to the RP ID, and a browser only uses it on an origin whose host is the RP ID or a
 * subdomain of it (WebAuthn L2 §5.1.3 step 8). A setting no browser could satisfy is a deployment error, so it stops
 * start-up instead of failing every passkey ceremony later. It is checked once each setting has parsed on its own
 * (the origins may come from APP_URL). Public-suffix RP IDs (`com`) are the browser's to refuse.
 */
function webauthnSettings(appUrl: string, rpIdSetting: string | undefined, rpName: string, originsSetting: string[]) {
  const origins = originsSetting.length > 0 ? originsSetting : [new URL(appUrl).origin];
  const rpId = rpIdSetting ?? new URL(appUrl).hostname;
  for (const origin of origins) {
    const host = new URL(origin).hostname;
    if (host !== rpId && !host.endsWith(`.${rpId}`)) {
      throw new ConfigError(`setting WEBAUTHN_RP_ID is invalid: "${rpId}" is not a registrable suffix of the host of ${origin}`);
    }
  }
  return { rpId, rpName, origins };
}

function pair(id: string | undefined, secret: string | undefined) {
  return id && secret ? { clientId: id, clientSecret: secret } : undefined;
}

/**
 * Parses the settings. Bad ones throw one ConfigError whose message is one line naming every one of them, so a
 * deployment is fixed in one restart, not one restart per setting.
 */
export function loadConfig(env: Env, runtime: Runtime): Config {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    // Empty strings mean "not set": `FOO=` in a .env file should not fail validation.
    if (typeof value === 'string' && value.trim() !== '') raw[key] = value;
  }
  const parsed = schema.safeParse(raw);
  const problems = new Map<string, string>();
  for (const issue of parsed.error?.issues ?? []) {
    const name = String(issue.path[0] ?? 'settings');
    // Our own field types phrase their rule as a predicate ("must be a whole number ..."); zod's messages are not.
    const problem = issue.message.startsWith('must ') ? `setting ${name} ${issue.message}` : `setting ${name} is invalid: ${issue.message}`;
    if (!problems.has(name)) problems.set(name, problem);
  }
  // OIDC_<ID>_* have dynamic names the schema cannot list; their parser reports its problems alongside.
  const oidc = parseOidcProviders(env, raw.NODE_ENV === 'production');
  for (const [name, problem] of [...missingSettings(raw, runtime), ...oidc.problems]) if (!problems.has(name)) problems.set(name, problem);
  if (!parsed.success || problems.size > 0) {
    const all = [...problems.values()];
    throw new ConfigError(all.length === 1 ? all[0]! : `${all.length} settings need fixing: ${all.join('; ')}`);
  }
  const s = parsed.data;
  const production = s.NODE_ENV === 'production';
  const transport = mailTransport(s.MAIL_TRANSPORT, s.SMTP_URL, s.MAIL_HTTP_URL);
  const appUrl = (s.APP_URL ?? `http://localhost:${s.PORT}`).replace(/\/+$/, '');
  return {
    runtime,
    port: s.PORT,
    host: s.HOST,
    appUrl,
    production,
    devRoutesEnabled: !production && runtime === 'node',
    dataDir: s.DATA_DIR,
    databaseUrl: s.DATABASE_URL,
    redisUrl: s.REDIS_URL,
    upstash: s.UPSTASH_REDIS_REST_URL && s.UPSTASH_REDIS_REST_TOKEN ? { url: s.UPSTASH_REDIS_REST_URL, token: s.UPSTASH_REDIS_REST_TOKEN } : undefined,
    jwt: {
      privateKey: s.JWT_PRIVATE_KEY,
      previousPublicKeys: s.JWT_PREVIOUS_PUBLIC_KEYS,
      issuer: (s.JWT_ISSUER ?? appUrl).replace(/\/+$/, ''),
      audience: s.JWT_AUDIENCE,
      accessTokenTtlSeconds: s.ACCESS_TOKEN_TTL_SECONDS,
    },
    refreshTokenTtlSeconds: s.REFRESH_TOKEN_TTL_SECONDS,
    refreshReuseGraceSeconds: s.REFRESH_REUSE_GRACE_SECONDS,
    mfaEncryptionKeyHex: s.MFA_ENCRYPTION_KEY?.toLowerCase(),
    argon2: { memoryKib: s.ARGON2_MEMORY_KIB, iterations: s.ARGON2_ITERATIONS, parallelism: s.ARGON2_PARALLELISM },
    rateLimit: { global: s.RATE_LIMIT_GLOBAL, auth: s.RATE_LIMIT_AUTH },
    lockout: { threshold: s.LOCKOUT_THRESHOLD, seconds: s.LOCKOUT_SECONDS },
    trustProxy: s.TRUST_PROXY,
    corsOrigins: s.CORS_ORIGINS,
    admin: s.ADMIN_EMAIL && s.ADMIN_PASSWORD ? { email: s.ADMIN_EMAIL, password: s.ADMIN_PASSWORD } : undefined,
    adminMfaRequired: s.ADMIN_MFA_REQUIRED,
    mail: { transport, from: s.MAIL_FROM, smtpUrl: s.SMTP_URL, httpUrl: s.MAIL_HTTP_URL, httpToken: s.MAIL_HTTP_TOKEN },
    oauth: {
      google: pair(s.GOOGLE_CLIENT_ID, s.GOOGLE_CLIENT_SECRET),
      github: pair(s.GITHUB_CLIENT_ID, s.GITHUB_CLIENT_SECRET),
      oidc: oidc.providers,
      redirectUrl: s.OAUTH_REDIRECT_URL ?? `${appUrl}/demo`,
      allowedRedirects: s.OAUTH_ALLOWED_REDIRECTS,
    },
    webauthn: webauthnSettings(appUrl, s.WEBAUTHN_RP_ID, s.WEBAUTHN_RP_NAME, s.WEBAUTHN_ORIGINS),
    metricsToken: s.METRICS_TOKEN,
    logLevel: s.LOG_LEVEL,
  };
}

/** The chosen mail transport, or the one implied by what is set. */
function mailTransport<T extends string>(chosen: T | undefined, smtpUrl: unknown, httpUrl: unknown): T | 'smtp' | 'http' | 'dev' {
  return chosen ?? (smtpUrl ? 'smtp' : httpUrl ? 'http' : 'dev');
}

/** Settings that must be there, by the presence of others and the runtime: [name, one-line problem]. */
function missingSettings(raw: Record<string, unknown>, runtime: Runtime): [string, string][] {
  const problems: [string, string][] = [];
  const require = (name: string, why: string) => {
    if (raw[name] === undefined) problems.push([name, `setting ${name} is missing: ${why}`]);
  };
  if (raw.UPSTASH_REDIS_REST_URL || raw.UPSTASH_REDIS_REST_TOKEN) {
    require('UPSTASH_REDIS_REST_URL', 'it goes with UPSTASH_REDIS_REST_TOKEN');
    require('UPSTASH_REDIS_REST_TOKEN', 'it goes with UPSTASH_REDIS_REST_URL');
  }
  if (runtime === 'workers') {
    require('DATABASE_URL', 'Workers need a Neon database URL');
    require('UPSTASH_REDIS_REST_URL', 'Workers need Upstash Redis');
    require('UPSTASH_REDIS_REST_TOKEN', 'Workers need Upstash Redis');
    require('JWT_PRIVATE_KEY', 'Workers cannot generate and persist a signing key');
    require('MFA_ENCRYPTION_KEY', 'Workers cannot generate and persist an encryption key');
  }
  for (const provider of ['GOOGLE', 'GITHUB']) {
    const [id, secret] = [`${provider}_CLIENT_ID`, `${provider}_CLIENT_SECRET`];
    if (raw[id] || raw[secret]) {
      require(id, `it goes with ${secret}`);
      require(secret, `it goes with ${id}`);
    }
  }
  if (raw.ADMIN_EMAIL || raw.ADMIN_PASSWORD) {
    require('ADMIN_EMAIL', 'it goes with ADMIN_PASSWORD');
    require('ADMIN_PASSWORD', 'it goes with ADMIN_EMAIL');
  }
  const transport = mailTransport(raw.MAIL_TRANSPORT as string | undefined, raw.SMTP_URL, raw.MAIL_HTTP_URL);
  if (transport === 'smtp') require('SMTP_URL', 'MAIL_TRANSPORT=smtp needs it');
  if (transport === 'http') require('MAIL_HTTP_URL', 'MAIL_TRANSPORT=http needs it');
  if (runtime === 'workers' && transport === 'smtp') {
    problems.push(['MAIL_TRANSPORT', 'setting MAIL_TRANSPORT is invalid: smtp is not available on Workers, use http']);
  } else if (runtime === 'workers' && transport !== 'http') {
    require('MAIL_HTTP_URL', 'Workers send mail through the http transport');
  }
  // Production has no dev mailbox to read, so defaulting to it would drop every mail without a word.
  if (runtime === 'node' && raw.NODE_ENV === 'production' && raw.MAIL_TRANSPORT === undefined && transport === 'dev') {
    problems.push([
      'MAIL_TRANSPORT',
      'setting MAIL_TRANSPORT is missing: NODE_ENV=production has no dev mailbox, so every mail would be dropped; set SMTP_URL or MAIL_HTTP_URL (or MAIL_TRANSPORT=dev to send none)',
    ]);
  }
  return problems;
}
