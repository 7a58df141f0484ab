import * as oauth from 'oauth4webapi';
import { ProviderUnavailableError } from '../../core/errors';
import { describeError, type Logger } from '../../core/logger';

// OpenID discovery (`/.well-known/openid-configuration`), fetched once and kept for the life of the process. A
// provider that does not answer, or answers something unusable, is unavailable: logged, 503 at /oauth/:provider,
// and asked again after a pause rather than on every click (a dead provider costs no timeout per request).

const DISCOVERY_TIMEOUT_MS = 5_000;
const RETRY_AFTER_MS = 30_000;

export type DiscoveredServer = oauth.AuthorizationServer & { authorization_endpoint: string; token_endpoint: string; jwks_uri: string };

export interface Discovery {
  metadata(): Promise<DiscoveredServer>;
}

export function oidcDiscovery(options: {
  provider: string;
  issuer: URL;
  /** oauth4webapi's per-request options (the http:// allowance for a loopback issuer). */
  requestOptions: () => oauth.HttpRequestOptions<'GET'>;
  logger: Logger;
  nowMs?: () => number;
}): Discovery {
  const nowMs = options.nowMs ?? Date.now;
  let found: DiscoveredServer | undefined;
  let inFlight: Promise<DiscoveredServer> | undefined;
  let failedAtMs = Number.NEGATIVE_INFINITY;

  async function discover(): Promise<DiscoveredServer> {
    try {
      const response = await oauth.discoveryRequest(options.issuer, { ...options.requestOptions(), signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS) });
      // Also checks that the document names exactly the configured issuer (OpenID Discovery §4.3).
      const server = await oauth.processDiscoveryResponse(options.issuer, response);
      const { authorization_endpoint, token_endpoint, jwks_uri } = server;
      if (!authorization_endpoint || !token_endpoint || !jwks_uri) throw new Error('the discovery document lacks authorization_endpoint, token_endpoint or jwks_uri');
      options.logger.info('OIDC provider discovered', { provider: options.provider, issuer: options.issuer.href });
      return { ...server, authorization_endpoint, token_endpoint, jwks_uri };
    } catch (error) {
      failedAtMs = nowMs();
      options.logger.warn('OIDC provider unavailable: discovery failed', { provider: options.provider, issuer: options.issuer.href, err: describeError(error) });
      throw new ProviderUnavailableError(options.provider, error);
    }
  }

  return {
    async metadata() {
      if (found) return found;
      if (!inFlight && nowMs() - failedAtMs < RETRY_AFTER_MS) throw new ProviderUnavailableError(options.provider);
      // Concurrent first requests share one discovery.
      inFlight ??= discover().finally(() => (inFlight = undefined));
      found = await inFlight;
      return found;
    },
  };
}
