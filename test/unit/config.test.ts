import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';

const workersEnv = {
  DATABASE_URL: 'postgresql://u:p@db.example.neon.tech/app',
  UPSTASH_REDIS_REST_URL: 'https://eu1.upstash.io',
  UPSTASH_REDIS_REST_TOKEN: 't',
  JWT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----',
  MFA_ENCRYPTION_KEY: 'a'.repeat(64),
  MAIL_HTTP_URL: 'https://mail.example.com/send',
};

function errorOf(env: Record<string, string>, runtime: 'node' | 'workers' = 'node'): string {
  try {
    loadConfig(env, runtime);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('settings', () => {
  it('applies the documented defaults with nothing configured', () => {
    const config = loadConfig({}, 'node');
    expect(config).toMatchObject({
      port: 3000,
      appUrl: 'http://localhost:3000',
      dataDir: './.data',
      jwt: { accessTokenTtlSeconds: 900, issuer: 'http://localhost:3000', audience: 'authgate' },
      refreshTokenTtlSeconds: 604800,
      refreshReuseGraceSeconds: 10,
      argon2: { memoryKib: 19456, iterations: 2, parallelism: 1 },
      rateLimit: { global: { requests: 100, windowSeconds: 60 }, auth: { requests: 5, windowSeconds: 60 } },
      lockout: { threshold: 5, seconds: 900 },
      adminMfaRequired: true,
      trustProxy: [],
      corsOrigins: [],
      devRoutesEnabled: true,
    });
    expect(config.mail.transport).toBe('dev');
  });

  it('names the bad setting in one line', () => {
    expect(errorOf({ RATE_LIMIT_AUTH: 'abc' })).toMatch(/^setting RATE_LIMIT_AUTH is invalid: expected <requests>\/<seconds>/);
    expect(errorOf({ PORT: '99999' })).toMatch(/^setting PORT is invalid/);
    expect(errorOf({ MFA_ENCRYPTION_KEY: 'short' })).toMatch(/^setting MFA_ENCRYPTION_KEY is invalid/);
    expect(errorOf({ CORS_ORIGINS: 'https://ok.example.com,https://bad.example.com/path' })).toMatch(/^setting CORS_ORIGINS is invalid/);
    expect(errorOf({ ADMIN_EMAIL: 'root@example.com' })).toBe('setting ADMIN_PASSWORD is missing: it goes with ADMIN_EMAIL');
    expect(errorOf({ MAIL_TRANSPORT: 'smtp' })).toMatch(/^setting SMTP_URL is missing/);
    for (const message of [errorOf({ RATE_LIMIT_AUTH: 'abc' }), errorOf({ PORT: 'x' })]) expect(message).not.toContain('\n');
  });

  it('accepts small values for tests', () => {
    const config = loadConfig({ ACCESS_TOKEN_TTL_SECONDS: '3', REFRESH_REUSE_GRACE_SECONDS: '2', RATE_LIMIT_AUTH: '2/1' }, 'node');
    expect(config.jwt.accessTokenTtlSeconds).toBe(3);
    expect(config.refreshReuseGraceSeconds).toBe(2);
    expect(config.rateLimit.auth).toEqual({ requests: 2, windowSeconds: 1 });
  });

  it('demands the stores and keys on Workers, which cannot generate and persist them', () => {
    const { DATABASE_URL: _unset, ...withoutDatabase } = workersEnv;
    expect(errorOf(withoutDatabase, 'workers')).toBe('setting DATABASE_URL is missing: Workers need a Neon database URL');
    const { JWT_PRIVATE_KEY: _omitted, ...withoutKey } = workersEnv;
    expect(errorOf(withoutKey, 'workers')).toMatch(/^setting JWT_PRIVATE_KEY is missing/);
    const config = loadConfig(workersEnv, 'workers');
    expect(config.devRoutesEnabled).toBe(false);
    expect(config.mail.transport).toBe('http');
  });

  it('names every missing and invalid setting at once, in one line', () => {
    expect(errorOf({}, 'workers')).toBe(
      '6 settings need fixing: ' +
        'setting DATABASE_URL is missing: Workers need a Neon database URL; ' +
        'setting UPSTASH_REDIS_REST_URL is missing: Workers need Upstash Redis; ' +
        'setting UPSTASH_REDIS_REST_TOKEN is missing: Workers need Upstash Redis; ' +
        'setting JWT_PRIVATE_KEY is missing: Workers cannot generate and persist a signing key; ' +
        'setting MFA_ENCRYPTION_KEY is missing: Workers cannot generate and persist an encryption key; ' +
        'setting MAIL_HTTP_URL is missing: Workers send mail through the http transport',
    );
    const mixed = errorOf({ PORT: 'x', RATE_LIMIT_AUTH: 'abc', ADMIN_EMAIL: 'root@example.com' });
    expect(mixed).toMatch(/^3 settings need fixing: /);
    for (const name of ['PORT is invalid', 'RATE_LIMIT_AUTH is invalid', 'ADMIN_PASSWORD is missing']) expect(mixed).toContain(`setting ${name}`);
    expect(mixed).not.toContain('\n');
  });

  it('turns dev routes off in production', () => {
    expect(loadConfig({ NODE_ENV: 'production' }, 'node').devRoutesEnabled).toBe(false);
  });
});

describe('key settings', () => {
  it('stop start-up with one line naming the setting, never echoing the key', async () => {
    const { loadSigningKeys } = await import('../../src/core/keys');
    const { generatePrivateKeyPem } = await import('../../src/core/keys');
    const cases: [string, string | undefined, RegExp][] = [
      ['{"kty":"RSA", not json', undefined, /^setting JWT_PRIVATE_KEY is invalid/],
      ['-----BEGIN PRIVATE KEY-----\nnot base64 at all\n-----END PRIVATE KEY-----', undefined, /^setting JWT_PRIVATE_KEY is invalid/],
      ['just text', undefined, /^setting JWT_PRIVATE_KEY is invalid: expected a PKCS#8 PEM/],
      [await generatePrivateKeyPem(), '[{"kty":"EC"}]', /^setting JWT_PREVIOUS_PUBLIC_KEYS is invalid/],
      [await generatePrivateKeyPem(), '{broken', /^setting JWT_PREVIOUS_PUBLIC_KEYS is invalid/],
    ];
    for (const [privateKey, previous, message] of cases) {
      const error = await loadSigningKeys(privateKey, previous).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('\n');
      expect((error as Error).message).not.toContain('not base64');
    }
  });
});
