import type { Config } from '../../config';
import type { Logger } from '../../core/logger';
import { oauthCallbackUrl } from '../../core/oauth/providers';
import type { OAuthProvider } from '../../core/ports';

/**
 * The configured providers in API.md's order: google, github, then each OIDC provider as listed. Each adapter is
 * imported only when configured: arctic and oauth4webapi are about a tenth of the modules a start-up would load.
 */
export async function configuredOAuthProviders(config: Config, logger: Logger): Promise<OAuthProvider[]> {
  const { google, github, oidc } = config.oauth;
  const callback = (id: string) => oauthCallbackUrl(config.appUrl, id);
  const providers: OAuthProvider[] = [];
  if (google) providers.push((await import('./google')).googleProvider(google, callback('google')));
  if (github) providers.push((await import('./github')).githubProvider(github, callback('github')));
  if (oidc.length > 0) {
    const { oidcProvider } = await import('./oidc');
    for (const provider of oidc) providers.push(oidcProvider(provider, callback(provider.id), logger));
  }
  return providers;
}
