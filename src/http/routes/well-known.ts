import { createRoute, z } from '@hono/zod-openapi';
import { createRouter } from '../router';
import { jsonContent } from '../schemas/common';

const Jwks = z
  .object({ keys: z.array(z.object({ kty: z.literal('RSA'), n: z.string(), e: z.string(), kid: z.string(), use: z.literal('sig'), alg: z.literal('RS256') })) })
  .openapi('JWKS');

const jwksRoute = createRoute({
  method: 'get',
  path: '/jwks.json',
  tags: ['well-known'],
  summary: 'Public signing keys (RFC 7517)',
  responses: { 200: jsonContent(Jwks, 'The current and still-valid previous public keys') },
});

// Only what applies to us. authgate has no OAuth token, revocation or userinfo endpoint in the RFC 6749/7009/OIDC
// sense (ours take JSON and answer in the API envelope), so advertising them sends standard clients into 415s.
// id_token_signing_alg_values_supported is the member verifiers (go-oidc, for one) read for accepted algorithms;
// every token we sign is RS256.
const OpenIdConfiguration = z
  .object({
    issuer: z.string(),
    jwks_uri: z.string(),
    id_token_signing_alg_values_supported: z.array(z.literal('RS256')),
  })
  .openapi('OpenIdConfiguration');

const discoveryRoute = createRoute({
  method: 'get',
  path: '/openid-configuration',
  tags: ['well-known'],
  summary: 'Discovery document',
  responses: { 200: jsonContent(OpenIdConfiguration, 'Where things are') },
});

export const wellKnownRoutes = createRouter()
  .openapi(jwksRoute, (c) => {
    c.header('Cache-Control', 'public, max-age=300');
    return c.json(c.get('deps').keys.jwks, 200);
  })
  .openapi(discoveryRoute, (c) => {
    const { config } = c.get('deps');
    c.header('Cache-Control', 'public, max-age=300');
    return c.json(
      {
        issuer: config.jwt.issuer,
        jwks_uri: `${config.appUrl}/.well-known/jwks.json`,
        id_token_signing_alg_values_supported: ['RS256' as const],
      },
      200,
    );
  });
