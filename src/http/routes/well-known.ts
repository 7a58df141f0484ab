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

const OpenIdConfiguration = z
  .object({
    issuer: z.string(),
    jwks_uri: z.string(),
    token_endpoint: z.string(),
    revocation_endpoint: z.string(),
    userinfo_endpoint: z.string(),
    response_types_supported: z.array(z.string()),
    subject_types_supported: z.array(z.string()),
    id_token_signing_alg_values_supported: z.array(z.string()),
    token_endpoint_auth_methods_supported: z.array(z.string()),
    grant_types_supported: z.array(z.string()),
    claims_supported: z.array(z.string()),
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
    const base = config.appUrl;
    c.header('Cache-Control', 'public, max-age=300');
    return c.json(
      {
        issuer: config.jwt.issuer,
        jwks_uri: `${base}/.well-known/jwks.json`,
        token_endpoint: `${base}/api/v1/auth/refresh`,
        revocation_endpoint: `${base}/api/v1/auth/logout`,
        userinfo_endpoint: `${base}/api/v1/users/me`,
        response_types_supported: ['token'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['none'],
        grant_types_supported: ['password', 'refresh_token'],
        claims_supported: ['iss', 'aud', 'sub', 'sid', 'jti', 'iat', 'exp', 'role', 'email', 'amr'],
      },
      200,
    );
  });
