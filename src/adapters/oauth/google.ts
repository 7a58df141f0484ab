import { Google } from 'arctic';
import { z } from 'zod';
import type { OAuthProvider } from '../../core/ports';
import { callbackCode, getProviderJson, withinTimeout } from './provider-http';

// Google through arctic 3.7.0 (pinned: deprecated upstream, so nothing outside this folder imports it). The user
// comes from Google's userinfo endpoint, fetched over TLS with the access token just redeemed, so arctic's unverified
// `decodeIdToken` is never needed.

const USERINFO_URL = 'https://openidconnect.googleapis.com/v1/userinfo';
const SCOPES = ['openid', 'email', 'profile'];

const GoogleUser = z.object({
  sub: z.string().min(1),
  email: z.string().optional(),
  // Anything but the boolean true (absent, "true" as a string) is not a vouched-for address.
  email_verified: z.unknown().optional(),
  name: z.string().optional(),
});

export function googleProvider(credentials: { clientId: string; clientSecret: string }, callbackUrl: string): OAuthProvider {
  const google = new Google(credentials.clientId, credentials.clientSecret, callbackUrl);
  return {
    id: 'google',
    name: 'Google',
    type: 'oauth',
    async authorizationUrl(attempt) {
      return google.createAuthorizationURL(attempt.state, attempt.codeVerifier, SCOPES);
    },
    async redeem(callback, attempt) {
      const tokens = await withinTimeout('google', google.validateAuthorizationCode(callbackCode(callback), attempt.codeVerifier));
      const user = await getProviderJson(USERINFO_URL, tokens.accessToken(), GoogleUser);
      return { subject: user.sub, email: user.email ?? null, emailVerified: user.email_verified === true, name: user.name ?? null };
    },
  };
}
