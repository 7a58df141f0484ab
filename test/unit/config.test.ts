import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';
import { loadSigningKeys } from '../../src/core/keys';
import { openDatabase, openKeyValue } from '../../src/runtime/node-stores';
import { freePort } from '../support/authgate-process';

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
    expect(errorOf({ PORT: '99999' })).toBe('setting PORT must be a whole number between 1 and 65535, got "99999"');
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
    for (const name of ['PORT must be a whole number', 'RATE_LIMIT_AUTH is invalid', 'ADMIN_PASSWORD is missing']) expect(mixed).toContain(`setting ${name}`);
    expect(mixed).not.toContain('\n');
  });

  it('turns dev routes off in production', () => {
    expect(loadConfig({ NODE_ENV: 'production', SMTP_URL: 'smtp://mail.example.com:587' }, 'node').devRoutesEnabled).toBe(false);
  });
});

describe('settings that used to be accepted and then misbehave', () => {
  it('APP_URL must be an http(s) URL with a host and nothing after it but "/"', () => {
    const why = 'expected an http(s) URL with a host and no path, query or fragment, e.g. https://auth.example.com';
    for (const value of ['localhost:3999', 'auth.example.com', 'ftp://auth.example.com', 'http://', 'https://auth.example.com/app', 'https://auth.example.com/?x=1', 'https://auth.example.com#top', 'https://user:pw@auth.example.com']) {
      expect(errorOf({ APP_URL: value }), value).toBe(`setting APP_URL is invalid: ${why}`);
    }
    expect(loadConfig({ APP_URL: 'http://localhost:3999' }, 'node').appUrl).toBe('http://localhost:3999');
    expect(loadConfig({ APP_URL: 'https://Auth.Example.com/' }, 'node').appUrl).toBe('https://auth.example.com');
    expect(loadConfig({ APP_URL: 'https://auth.example.com:8443' }, 'node').jwt.issuer).toBe('https://auth.example.com:8443');
  });

  it('the mail HTTP API and Upstash URLs must be http(s) URLs with a host', () => {
    expect(errorOf({ MAIL_HTTP_URL: 'localhost:8025/send' })).toMatch(/^setting MAIL_HTTP_URL is invalid: expected an http\(s\) URL/);
    expect(errorOf({ UPSTASH_REDIS_REST_URL: 'eu1.upstash.io:443', UPSTASH_REDIS_REST_TOKEN: 't' })).toMatch(/^setting UPSTASH_REDIS_REST_URL is invalid/);
    expect(loadConfig({ MAIL_HTTP_URL: 'https://mail.example.com/v1/send' }, 'node').mail.httpUrl).toBe('https://mail.example.com/v1/send');
  });

  it('numbers are described in words, with the value given', () => {
    expect(errorOf({ PORT: 'abc' })).toBe('setting PORT must be a whole number between 1 and 65535, got "abc"');
    expect(errorOf({ PORT: '0' })).toBe('setting PORT must be a whole number between 1 and 65535, got "0"');
    expect(errorOf({ PORT: '3000.5' })).toBe('setting PORT must be a whole number between 1 and 65535, got "3000.5"');
    expect(errorOf({ ACCESS_TOKEN_TTL_SECONDS: '-5' })).toBe('setting ACCESS_TOKEN_TTL_SECONDS must be a whole number of at least 1, got "-5"');
    expect(errorOf({ REFRESH_REUSE_GRACE_SECONDS: 'ten' })).toBe('setting REFRESH_REUSE_GRACE_SECONDS must be a whole number of at least 0, got "ten"');
    expect(errorOf({ ARGON2_MEMORY_KIB: '4' })).toBe('setting ARGON2_MEMORY_KIB must be a whole number of at least 8, got "4"');
    expect(errorOf({ ARGON2_PARALLELISM: '17' })).toBe('setting ARGON2_PARALLELISM must be a whole number between 1 and 16, got "17"');
    expect(errorOf({ LOCKOUT_THRESHOLD: '1e3' })).toBe('setting LOCKOUT_THRESHOLD must be a whole number of at least 1, got "1e3"');
    expect(loadConfig({ PORT: '65535', REFRESH_REUSE_GRACE_SECONDS: '0' }, 'node')).toMatchObject({ port: 65535, refreshReuseGraceSeconds: 0 });
  });

  it('production refuses to start without a mail transport instead of dropping every mail', () => {
    expect(errorOf({ NODE_ENV: 'production' })).toBe(
      'setting MAIL_TRANSPORT is missing: NODE_ENV=production has no dev mailbox, so every mail would be dropped; set SMTP_URL or MAIL_HTTP_URL (or MAIL_TRANSPORT=dev to send none)',
    );
    expect(loadConfig({ NODE_ENV: 'production', SMTP_URL: 'smtp://mail.example.com:587' }, 'node').mail.transport).toBe('smtp');
    expect(loadConfig({ NODE_ENV: 'production', MAIL_HTTP_URL: 'https://mail.example.com/send' }, 'node').mail.transport).toBe('http');
    expect(loadConfig({ NODE_ENV: 'production', MAIL_TRANSPORT: 'dev' }, 'node').mail.transport).toBe('dev');
  });
});

describe('WebAuthn settings', () => {
  it('default to the host and origin of APP_URL and the name authgate', () => {
    expect(loadConfig({ APP_URL: 'https://Auth.Example.com/' }, 'node').webauthn).toEqual({
      rpId: 'auth.example.com',
      rpName: 'authgate',
      origins: ['https://auth.example.com'],
    });
    expect(loadConfig({ PORT: '4000' }, 'node').webauthn).toEqual({ rpId: 'localhost', rpName: 'authgate', origins: ['http://localhost:4000'] });
  });

  it('accept an RP ID that is the host or a parent domain of every origin', () => {
    const config = loadConfig(
      { WEBAUTHN_RP_ID: 'Example.com', WEBAUTHN_RP_NAME: 'Example', WEBAUTHN_ORIGINS: 'https://example.com, https://login.example.com:8443' },
      'node',
    );
    expect(config.webauthn).toEqual({ rpId: 'example.com', rpName: 'Example', origins: ['https://example.com', 'https://login.example.com:8443'] });
  });

  it('stop start-up with one line naming the setting when no browser could use them', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ WEBAUTHN_RP_ID: 'other.example', APP_URL: 'https://auth.example.com' }, /^setting WEBAUTHN_RP_ID is invalid: "other.example" is not a registrable suffix of the host of https:\/\/auth\.example\.com$/],
      // A look-alike that merely ends with the same letters is not a parent domain.
      [{ WEBAUTHN_RP_ID: 'example.com', WEBAUTHN_ORIGINS: 'https://evilexample.com' }, /^setting WEBAUTHN_RP_ID is invalid/],
      [{ WEBAUTHN_RP_ID: 'example.com', WEBAUTHN_ORIGINS: 'https://example.com,https://example.org' }, /^setting WEBAUTHN_RP_ID is invalid: .*https:\/\/example\.org$/],
      [{ WEBAUTHN_RP_ID: 'https://example.com' }, /^setting WEBAUTHN_RP_ID is invalid: .* is not a domain name/],
      [{ WEBAUTHN_RP_ID: 'example.com:443' }, /^setting WEBAUTHN_RP_ID is invalid/],
      [{ WEBAUTHN_ORIGINS: 'https://example.com/login' }, /^setting WEBAUTHN_ORIGINS is invalid: "https:\/\/example\.com\/login" is not a bare origin/],
      [{ WEBAUTHN_ORIGINS: 'https://example.com/' }, /^setting WEBAUTHN_ORIGINS is invalid/],
      [{ WEBAUTHN_ORIGINS: 'https://example.com?x=1' }, /^setting WEBAUTHN_ORIGINS is invalid/],
      [{ WEBAUTHN_ORIGINS: 'example.com' }, /^setting WEBAUTHN_ORIGINS is invalid/],
      [{ WEBAUTHN_ORIGINS: 'ftp://example.com' }, /^setting WEBAUTHN_ORIGINS is invalid/],
    ];
    for (const [env, message] of cases) {
      const error = errorOf(env);
      expect(error, JSON.stringify(env)).toMatch(message);
      expect(error).not.toContain('\n');
    }
  });

  it('are named with every other bad setting when their shape is wrong', () => {
    const error = errorOf({ PORT: 'x', WEBAUTHN_RP_ID: 'https://example.com', WEBAUTHN_ORIGINS: 'https://example.com/' });
    expect(error).toMatch(/^3 settings need fixing: /);
    for (const part of ['PORT must', 'WEBAUTHN_RP_ID is invalid', 'WEBAUTHN_ORIGINS is invalid']) expect(error).toContain(`setting ${part}`);
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

describe('key settings that hold the wrong kind of key', () => {
  const pem = (pair: { privateKey: { export(o: object): string | Buffer }; publicKey: { export(o: object): string | Buffer } }) => ({
    privateKey: String(pair.privateKey.export({ type: 'pkcs8', format: 'pem' })),
    publicKey: String(pair.publicKey.export({ type: 'spki', format: 'pem' })),
  });
  const jwk = (pair: { privateKey: { export(o: object): unknown }; publicKey: { export(o: object): unknown } }) => ({
    privateKey: JSON.stringify(pair.privateKey.export({ format: 'jwk' })),
    publicKey: JSON.stringify([pair.publicKey.export({ format: 'jwk' })]),
  });
  const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ed25519 = generateKeyPairSync('ed25519');
  const rsa2048 = pem(generateKeyPairSync('rsa', { modulusLength: 2048 }));
  const sec1 = String(ec.privateKey.export({ type: 'sec1', format: 'pem' }));

  async function keyError(privateKey: string, previous?: string): Promise<string> {
    const error = await loadSigningKeys(privateKey, previous).then(() => new Error('expected a ConfigError'), (e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    // No key material: not one 16-character run of the key's base64 or JWK members.
    for (const material of [privateKey, previous ?? '']) {
      for (const run of material.match(/[A-Za-z0-9+/_-]{16,}/g) ?? []) expect(message).not.toContain(run.slice(0, 16));
    }
    return message;
  }

  it('refuses an RSA private key under 2048 bits, as PEM or JWK', async () => {
    const expected = 'setting JWT_PRIVATE_KEY is invalid: the RSA key has 1024 bits; at least 2048 are needed';
    expect(await keyError(pem(rsa1024).privateKey)).toBe(expected);
    expect(await keyError(jwk(rsa1024).privateKey)).toBe(expected);
  });

  it('says RSA is needed when given an EC or Ed25519 key, as PKCS#8 PEM, SEC1 PEM or JWK', async () => {
    const needsRsa = (kind: string) => `setting JWT_PRIVATE_KEY is invalid: it is an ${kind} key, but RS256 needs an RSA key of at least 2048 bits`;
    expect(await keyError(pem(ec).privateKey)).toBe(needsRsa('EC'));
    expect(await keyError(sec1)).toBe(needsRsa('EC'));
    expect(await keyError(jwk(ec).privateKey)).toBe(needsRsa('EC'));
    expect(await keyError(pem(ed25519).privateKey)).toBe(needsRsa('Ed25519'));
    expect(await keyError(jwk(ed25519).privateKey)).toBe(needsRsa('OKP'));
  });

  it('applies the same rules to the previous public keys still trusted after a rotation', async () => {
    const current = rsa2048.privateKey;
    expect(await keyError(current, pem(rsa1024).publicKey)).toBe('setting JWT_PREVIOUS_PUBLIC_KEYS is invalid: the RSA key has 1024 bits; at least 2048 are needed');
    expect(await keyError(current, jwk(rsa1024).publicKey)).toBe('setting JWT_PREVIOUS_PUBLIC_KEYS is invalid: the RSA key has 1024 bits; at least 2048 are needed');
    const needsRsa = 'setting JWT_PREVIOUS_PUBLIC_KEYS is invalid: it is an EC key, but RS256 needs an RSA key of at least 2048 bits';
    expect(await keyError(current, pem(ec).publicKey)).toBe(needsRsa);
    expect(await keyError(current, jwk(ec).publicKey)).toBe(needsRsa);
  });

  it('still accepts a 2048-bit RSA key with a 2048-bit previous one', async () => {
    const keys = await loadSigningKeys(rsa2048.privateKey, pem(generateKeyPairSync('rsa', { modulusLength: 2048 })).publicKey);
    expect(keys.jwks.keys).toHaveLength(2);
  });
});

describe('store settings that point where nothing answers', () => {
  const clock = { nowMs: () => Date.now() };

  it('an unreachable DATABASE_URL stops start-up with one line naming it, without its password', async () => {
    const port = await freePort(); // nothing listens there
    const config = loadConfig({ DATABASE_URL: `postgres://app:s3cret-pw@127.0.0.1:${port}/app` }, 'node');
    const error = await openDatabase(config).then(() => new Error('expected a ConfigError'), (e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(`setting DATABASE_URL: cannot use postgres://app:***@127.0.0.1:${port}/app (ECONNREFUSED 127.0.0.1:${port})`);
  });

  it('an unreachable REDIS_URL likewise', async () => {
    const port = await freePort();
    const config = loadConfig({ REDIS_URL: `redis://:s3cret-pw@127.0.0.1:${port}` }, 'node');
    const error = await openKeyValue(config, clock).then(() => new Error('expected a ConfigError'), (e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(`setting REDIS_URL: cannot use redis://:***@127.0.0.1:${port} (ECONNREFUSED 127.0.0.1:${port})`);
  });
});
