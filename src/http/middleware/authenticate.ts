import type { MiddlewareHandler } from 'hono';
import { verifyAccessToken } from '../../core/access-token';
import { AppError, StoreUnavailableError } from '../../core/errors';
import { denyKeys } from '../../core/tokens';
import type { AppEnv } from '../env';

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]+)$/;

/**
 * Bearer authentication: verifies the access token (alg/typ/iss/aud pinned) and checks the denylist for its jti and
 * sid in one key-value round trip. With the key-value store down this fails closed (503): a revoked token must
 * never work just because the denylist could not be read. Tokens are only taken from the Authorization header.
 */
export function authenticate(): MiddlewareHandler<AppEnv> {
  return async function authenticateMiddleware(c, next) {
    const deps = c.get('deps');
    const match = BEARER.exec(c.req.header('authorization') ?? '');
    if (!match) throw new AppError('AUTHENTICATION_ERROR', 'Invalid or missing access token');
    const { jwt } = deps.config;
    const claims = await verifyAccessToken(
      deps.keys,
      { issuer: jwt.issuer, audience: jwt.audience, ttlSeconds: jwt.accessTokenTtlSeconds },
      match[1]!,
      deps.clock.nowMs(),
    );
    let revoked: boolean;
    try {
      revoked = await deps.kv.existsAny([denyKeys.jti(claims.jti), denyKeys.sid(claims.sid)]);
    } catch (error) {
      throw new StoreUnavailableError('key-value', error);
    }
    if (revoked) throw new AppError('AUTHENTICATION_ERROR', 'Invalid or missing access token');
    c.set('auth', {
      userId: claims.sub,
      sessionId: claims.sid,
      jti: claims.jti,
      role: claims.role,
      amr: claims.amr,
      expiresAtSeconds: claims.exp,
    });
    await next();
  };
}
