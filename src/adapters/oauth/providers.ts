import type { Config } from '../../config';
import type { Logger } from '../../core/logger';
import { oauthCallbackUrl } from '../../core/oauth/providers';
import type { OAuthProvider } from '../../core/ports';
import { githubProvider } from './github';
import { googleProvider } from './google';
import { oidcProvider } from './oidc';

/** The configured providers in API.md's order: google, github, then each OIDC provider as listed. */
export function configuredOAuthProviders(config: Config, logger: Logger): OAuthProvider[] {
  const { google, github, oidc } = config.oauth;
  const callback = (id: string) => oauthCallbackUrl(config.appUrl, id);
  return [
    ...(google ? [googleProvider(google, callback('google'))] : []),
    ...(github ? [githubProvider(github, callback('github'))] : []),
    ...oidc.map((provider) => oidcProvider(provider, callback(provider.id), logger)),
  ];
}
