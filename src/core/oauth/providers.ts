import type { CoreDeps } from '../deps';
import { AppError } from '../errors';
import type { OAuthProvider } from '../ports';

/** Where a provider sends the browser back: one path per provider, so an answer meant for one is refused at another. */
export function oauthCallbackPath(providerId: string): string {
  return `/api/v1/oauth/${providerId}/callback`;
}

/** The redirect URI registered with the provider; built from APP_URL, never from a request's Host header. */
export function oauthCallbackUrl(appUrl: string, providerId: string): string {
  return `${appUrl}${oauthCallbackPath(providerId)}`;
}

/** A configured provider, or 404 (an unknown id and an unconfigured one look the same). */
export function providerOf(deps: Pick<CoreDeps, 'oauthProviders'>, id: string): OAuthProvider {
  const provider = deps.oauthProviders.get(id);
  if (!provider) throw new AppError('NOT_FOUND', 'Unknown sign-in provider');
  return provider;
}

export function listProviders(deps: Pick<CoreDeps, 'oauthProviders'>) {
  return [...deps.oauthProviders.values()].map(({ id, name, type }) => ({ id, name, type }));
}
