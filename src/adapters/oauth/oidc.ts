import * as oauth from 'oauth4webapi';
import type { OidcProviderConfig } from '../../config-oauth';
import type { Logger } from '../../core/logger';
import type { OAuthIdentity, OAuthProvider } from '../../core/ports';
import { oidcDiscovery, type DiscoveredServer } from './oidc-discovery';
import { PROVIDER_TIMEOUT_MS } from './provider-http';

// Any OpenID provider by configuration, through oauth4webapi (runs on Node and Workers): discovery, PKCE S256, a
// nonce per attempt, and the ID token checked whole. oauth4webapi checks iss (exactly the discovered issuer, which
// is exactly the configured one), aud, exp, iat, azp and nonce, but not the signature unless asked, so the signature
// is verified against the provider's JWKS as well: a token signed by anyone else fails.

function clientAuthentication(server: DiscoveredServer, secret: string): oauth.ClientAuth {
  const methods = server.token_endpoint_auth_methods_supported;
  // client_secret_basic is the default when the provider says nothing (OpenID Discovery §3).
  if (methods && !methods.includes('client_secret_basic') && methods.includes('client_secret_post')) return oauth.ClientSecretPost(secret);
  return oauth.ClientSecretBasic(secret);
}

export function oidcProvider(config: OidcProviderConfig, callbackUrl: string, logger: Logger): OAuthProvider {
  const issuer = new URL(config.issuer);
  // config-oauth.ts allows http:// only for a loopback issuer outside production; oauth4webapi must be told too.
  const requestOptions = () => ({ [oauth.allowInsecureRequests]: issuer.protocol === 'http:', signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS) });
  const discovery = oidcDiscovery({ provider: config.id, issuer, requestOptions, logger });
  const client: oauth.Client = { client_id: config.clientId };
  // Kept across sign-ins so the JWKS is fetched once, and again only when a token names a key it lacks.
  const jwksCache: oauth.JWKSCacheInput = {};

  async function identityFrom(server: DiscoveredServer, result: oauth.TokenEndpointResponse): Promise<OAuthIdentity> {
    const claims = oauth.getValidatedIdTokenClaims(result)!;
    let { email, email_verified: emailVerified, name } = claims as { email?: unknown; email_verified?: unknown; name?: unknown };
    // Many providers put the e-mail only in the userinfo answer (OIDC Core §5.4), which must be about the same sub.
    if (typeof email !== 'string' && server.userinfo_endpoint) {
      const response = await oauth.userInfoRequest(server, client, result.access_token, requestOptions());
      const info = await oauth.processUserInfoResponse(server, client, claims.sub, response);
      ({ email, email_verified: emailVerified } = info);
      name ??= info.name;
    }
    return {
      subject: claims.sub,
      email: typeof email === 'string' ? email : null,
      emailVerified: emailVerified === true,
      name: typeof name === 'string' ? name : null,
    };
  }

  return {
    id: config.id,
    name: config.name,
    type: 'oidc',
    async authorizationUrl(attempt) {
      const server = await discovery.metadata();
      const url = new URL(server.authorization_endpoint);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('client_id', config.clientId);
      url.searchParams.set('redirect_uri', callbackUrl);
      url.searchParams.set('scope', config.scopes.join(' '));
      url.searchParams.set('state', attempt.state);
      url.searchParams.set('nonce', attempt.nonce);
      url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(attempt.codeVerifier));
      url.searchParams.set('code_challenge_method', 'S256');
      return url;
    },
    async redeem(callback, attempt) {
      const server = await discovery.metadata();
      // The state again, and RFC 9207's `iss` when the provider sends one: an answer from another provider is refused.
      const parameters = oauth.validateAuthResponse(server, client, callback, attempt.state);
      const response = await oauth.authorizationCodeGrantRequest(
        server, client, clientAuthentication(server, config.clientSecret), parameters, callbackUrl, attempt.codeVerifier, requestOptions(),
      );
      const result = await oauth.processAuthorizationCodeResponse(server, client, response, { expectedNonce: attempt.nonce, requireIdToken: true });
      await oauth.validateApplicationLevelSignature(server, response, { ...requestOptions(), [oauth.jwksCache]: jwksCache });
      return identityFrom(server, result);
    },
    async prepare() {
      await discovery.metadata().catch(() => {});
    },
  };
}
