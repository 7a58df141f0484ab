import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';

function errorOf(env: Record<string, string>): string {
  try {
    loadConfig(env, 'node');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

const acme = {
  OIDC_PROVIDERS: 'acme',
  OIDC_ACME_ISSUER: 'https://login.acme.example',
  OIDC_ACME_CLIENT_ID: 'authgate',
  OIDC_ACME_CLIENT_SECRET: 'acme-secret-value',
};

describe('OAuth settings', () => {
  it('has no providers, and returns to the demo page, with nothing configured', () => {
    const { oauth } = loadConfig({}, 'node');
    expect(oauth).toEqual({ google: undefined, github: undefined, oidc: [], redirectUrl: 'http://localhost:3000/demo', allowedRedirects: [] });
  });

  it('reads several OpenID providers in the order listed, with the default name and scopes', () => {
    const { oauth } = loadConfig(
      {
        ...acme,
        OIDC_PROVIDERS: 'acme, corp-sso',
        OIDC_CORP_SSO_ISSUER: 'https://sso.corp.example/realms/main/',
        OIDC_CORP_SSO_CLIENT_ID: 'c',
        OIDC_CORP_SSO_CLIENT_SECRET: 's',
        OIDC_CORP_SSO_NAME: 'Corp SSO',
        OIDC_CORP_SSO_SCOPES: 'openid email',
      },
      'node',
    );
    expect(oauth.oidc).toEqual([
      { id: 'acme', name: 'acme', issuer: 'https://login.acme.example', clientId: 'authgate', clientSecret: 'acme-secret-value', scopes: ['openid', 'email', 'profile'] },
      // The issuer is kept exactly as written (trailing slash and all): ID tokens must name exactly it.
      { id: 'corp-sso', name: 'Corp SSO', issuer: 'https://sso.corp.example/realms/main/', clientId: 'c', clientSecret: 's', scopes: ['openid', 'email'] },
    ]);
  });

  it('stops start-up with one line naming the bad OpenID setting, never showing a secret', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ ...acme, OIDC_PROVIDERS: 'Acme' }, /^setting OIDC_PROVIDERS is invalid: "Acme" is not an id/],
      [{ ...acme, OIDC_PROVIDERS: 'acme,acme' }, /^setting OIDC_PROVIDERS is invalid: "acme" is listed twice/],
      [{ ...acme, OIDC_PROVIDERS: 'github' }, /^setting OIDC_PROVIDERS is invalid: "github" is reserved/],
      [{ ...acme, OIDC_PROVIDERS: 'exchange' }, /^setting OIDC_PROVIDERS is invalid: "exchange" is reserved/],
      [{ ...acme, OIDC_ACME_ISSUER: '' }, /^setting OIDC_ACME_ISSUER is missing: OIDC_PROVIDERS lists acme$/],
      [{ ...acme, OIDC_ACME_CLIENT_SECRET: '' }, /^setting OIDC_ACME_CLIENT_SECRET is missing/],
      [{ ...acme, OIDC_ACME_ISSUER: 'http://login.acme.example' }, /^setting OIDC_ACME_ISSUER is invalid: expected an https:\/\/ URL/],
      [{ ...acme, OIDC_ACME_ISSUER: 'https://login.acme.example/?tenant=1' }, /^setting OIDC_ACME_ISSUER is invalid/],
      [{ ...acme, OIDC_ACME_ISSUER: 'login.acme.example' }, /^setting OIDC_ACME_ISSUER is invalid/],
      [{ ...acme, OIDC_ACME_SCOPES: 'email profile' }, /^setting OIDC_ACME_SCOPES is invalid: must include openid$/],
      [{ GOOGLE_CLIENT_ID: 'g' }, /^setting GOOGLE_CLIENT_SECRET is missing: it goes with GOOGLE_CLIENT_ID$/],
      [{ GITHUB_CLIENT_SECRET: 'github-secret-value' }, /^setting GITHUB_CLIENT_ID is missing/],
      [{ OAUTH_REDIRECT_URL: 'javascript:alert(1)' }, /^setting OAUTH_REDIRECT_URL is invalid/],
      [{ OAUTH_ALLOWED_REDIRECTS: 'https://app.example.com/a, //evil.example' }, /^setting OAUTH_ALLOWED_REDIRECTS is invalid/],
    ];
    for (const [env, message] of cases) {
      const text = errorOf(env);
      expect(text).toMatch(message);
      expect(text).not.toContain('\n');
      expect(text).not.toMatch(/secret-value/);
    }
  });

  it('names every bad OAuth setting in the one line, with the others', () => {
    const message = errorOf({ OIDC_PROVIDERS: 'acme,beta', OIDC_BETA_ISSUER: 'https://beta.example', GOOGLE_CLIENT_ID: 'g', PORT: 'x' });
    expect(message).toMatch(/^7 settings need fixing: /);
    for (const name of ['PORT', 'GOOGLE_CLIENT_SECRET', 'OIDC_ACME_ISSUER', 'OIDC_ACME_CLIENT_ID', 'OIDC_ACME_CLIENT_SECRET', 'OIDC_BETA_CLIENT_ID', 'OIDC_BETA_CLIENT_SECRET']) {
      expect(message).toContain(`setting ${name} `);
    }
    expect(message).not.toContain('\n');
  });

  it('allows an http:// issuer only on a loopback host outside production', () => {
    for (const issuer of ['http://127.0.0.1:8080', 'http://localhost:9000/realms/x', 'http://[::1]:4000']) {
      expect(loadConfig({ ...acme, OIDC_ACME_ISSUER: issuer }, 'node').oauth.oidc[0]!.issuer).toBe(issuer);
    }
    expect(errorOf({ ...acme, OIDC_ACME_ISSUER: 'http://127.0.0.1:8080', NODE_ENV: 'production', MAIL_TRANSPORT: 'dev' })).toMatch(/^setting OIDC_ACME_ISSUER is invalid/);
    expect(errorOf({ ...acme, OIDC_ACME_ISSUER: 'http://127.0.0.1.nip.io:8080' })).toMatch(/^setting OIDC_ACME_ISSUER is invalid/);
  });

  it('reads OpenID providers from Workers bindings as well', () => {
    const config = loadConfig(
      {
        ...acme,
        DATABASE_URL: 'postgresql://u:p@db.example.neon.tech/app',
        UPSTASH_REDIS_REST_URL: 'https://eu1.upstash.io',
        UPSTASH_REDIS_REST_TOKEN: 't',
        JWT_PRIVATE_KEY: 'k',
        MFA_ENCRYPTION_KEY: 'a'.repeat(64),
        MAIL_HTTP_URL: 'https://mail.example.com/send',
      },
      'workers',
    );
    expect(config.oauth.oidc.map((p) => p.id)).toEqual(['acme']);
  });
});
