import { z } from '@hono/zod-openapi';
import { TokenPairShape, UserSchema, ok, pathParam } from './common';

export const ProviderParam = z.object({
  provider: pathParam('provider', 64, 'google'),
});

export const StartQuery = z.object({
  redirectTo: z.string().max(2048).optional().openapi({ description: 'OAUTH_REDIRECT_URL or one of OAUTH_ALLOWED_REDIRECTS, exactly' }),
});

// Documented only: the handler passes the raw query to the provider's checks, so a provider's extra parameters
// (iss, scope, authuser, ...) never turn a callback into a 400 instead of a redirect with `error=`.
export const CallbackQuery = z.object({
  code: z.string().optional(),
  state: z.string().optional(),
  error: z.string().optional(),
  iss: z.string().optional(),
});

export const Providers = ok(
  z.object({ providers: z.array(z.object({ id: z.string(), name: z.string(), type: z.enum(['oauth', 'oidc']) })) }),
).openapi('OAuthProviders');

export const ExchangeBody = z.object({ code: z.string().min(1).max(256) }).openapi('OAuthExchangeRequest');

export const ExchangeResult = ok(
  z.union([
    z.object({ mfaRequired: z.literal(false), user: UserSchema, ...TokenPairShape, isNewUser: z.boolean() }),
    z.object({ mfaRequired: z.literal(true), mfaToken: z.string(), expiresIn: z.number().int() }),
  ]),
).openapi('OAuthExchangeResult');

export const Identities = ok(
  z.object({ identities: z.array(z.object({ provider: z.string(), email: z.string().nullable(), linkedAt: z.string() })) }),
).openapi('Identities');

export const Unlinked = ok(z.object({ unlinked: z.literal(true) }));

export const RedirectResponse = (description: string) => ({
  description,
  headers: z.object({ Location: z.string() }),
});
