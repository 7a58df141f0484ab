import { CodeChallengeMethod, OAuth2Client } from 'arctic';
import { z } from 'zod';
import type { OAuthProvider } from '../../core/ports';
import { callbackCode, getProviderJson, withinTimeout } from './provider-http';

// GitHub through arctic 3.7.0. arctic's `GitHub` class sends no PKCE; GitHub accepts it, and RFC 9700 §2.1.1 asks
// for it, so this is arctic's generic OAuth2Client on GitHub's endpoints (the same Basic client authentication).
// Quirk: GitHub answers a refused code with HTTP 200 and `{"error": ...}`; arctic then has no access token to hand
// out and `accessToken()` throws, which refuses the callback.

const AUTHORIZE_URL = 'https://github.com/login/oauth/authorize';
const TOKEN_URL = 'https://github.com/login/oauth/access_token';
const API_URL = 'https://api.github.com';
const SCOPES = ['read:user', 'user:email'];
// GitHub's REST API refuses requests without a User-Agent and versions its media type.
const API_HEADERS = { accept: 'application/vnd.github+json', 'user-agent': 'authgate', 'x-github-api-version': '2022-11-28' };

const GitHubUser = z.object({ id: z.number().int(), login: z.string(), name: z.string().nullable().optional() });
const GitHubEmails = z.array(z.object({ email: z.string(), primary: z.boolean(), verified: z.boolean() }));

export function githubProvider(credentials: { clientId: string; clientSecret: string }, callbackUrl: string): OAuthProvider {
  const client = new OAuth2Client(credentials.clientId, credentials.clientSecret, callbackUrl);
  return {
    id: 'github',
    name: 'GitHub',
    type: 'oauth',
    async authorizationUrl(attempt) {
      return client.createAuthorizationURLWithPKCE(AUTHORIZE_URL, attempt.state, CodeChallengeMethod.S256, attempt.codeVerifier, SCOPES);
    },
    async redeem(callback, attempt) {
      const tokens = await withinTimeout('github', client.validateAuthorizationCode(TOKEN_URL, callbackCode(callback), attempt.codeVerifier));
      const accessToken = tokens.accessToken();
      const [user, emails] = await Promise.all([
        getProviderJson(`${API_URL}/user`, accessToken, GitHubUser, API_HEADERS),
        getProviderJson(`${API_URL}/user/emails`, accessToken, GitHubEmails, API_HEADERS),
      ]);
      // The profile's `email` is whatever the user made public, verified or not; only the e-mails API says which
      // address GitHub verified, and only the primary one stands for the account.
      const primary = emails.find((entry) => entry.primary && entry.verified);
      return { subject: String(user.id), email: primary?.email ?? null, emailVerified: primary !== undefined, name: user.name || user.login };
    },
  };
}
