import { createHarness } from '#harness';
import { SignJWT, base64url, decodeJwt, exportJWK, exportSPKI, generateKeyPair, importJWK, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAccessToken } from '../../src/core/access-token';
import type { Harness } from '../support/harness';
import { flipByte } from '../support/tamper';
import { expectError, json, registerUser } from './helpers';

// SECURITY.md "Tokens", end to end on GET /api/v1/users/me: every forgery is a 401 envelope, never a 500.

let h: Harness;
let accessToken: string;
let genuine: JWTPayload;
let kid: string;
const enc = new TextEncoder();
const b64json = (value: unknown) => base64url.encode(enc.encode(JSON.stringify(value)));

beforeAll(async () => {
  h = await createHarness();
  ({ accessToken } = await registerUser(h));
  genuine = decodeJwt(accessToken);
  kid = h.deps.keys.current.kid;
});
afterAll(async () => {
  await h?.close();
});

const me = (token?: string, headers?: Record<string, string>) =>
  h.request('/api/v1/users/me', { ...(token ? { token } : {}), ...(headers ? { headers } : {}) });

/** The genuine token's claims with a change, signed with an RSA key (the service's own unless given). */
function forge(header: Record<string, unknown>, claims: Record<string, unknown> = {}, key = h.deps.keys.current.privateKey) {
  return new SignJWT({ ...genuine, ...claims }).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid, ...header } as never).sign(key);
}

describe('forged access tokens on /users/me', () => {
  it('accepts the genuine token (so each refusal below is the forgery alone)', async () => {
    expect((await me(accessToken)).status).toBe(200);
    expect((await me(await forge({}))).status).toBe(200);
  });

  it('refuses alg none in any case', async () => {
    for (const alg of ['none', 'None', 'NONE']) {
      const unsigned = `${b64json({ alg, typ: 'at+jwt', kid })}.${b64json(genuine)}`;
      await expectError(await me(`${unsigned}.`), 401, 'AUTHENTICATION_ERROR');
      await expectError(await me(`${unsigned}.${accessToken.split('.')[2]}`), 401, 'AUTHENTICATION_ERROR');
    }
  });

  it('refuses HS256 signed with the published public key (PEM and JWK n as the HMAC secret)', async () => {
    const jwk = h.deps.keys.jwks.keys[0]!;
    const publicPem = await exportSPKI((await importJWK(jwk, 'RS256', { extractable: true })) as CryptoKey);
    for (const secret of [publicPem, jwk.n, JSON.stringify(jwk)]) {
      const token = await new SignJWT(genuine).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid }).sign(enc.encode(secret));
      await expectError(await me(token), 401, 'AUTHENTICATION_ERROR');
    }
  });

  it('refuses a token carrying its own key (jwk, jku) or signed by another key under our kid', async () => {
    const attacker = await generateKeyPair('RS256', { extractable: true });
    const attackerJwk = await exportJWK(attacker.publicKey);
    await expectError(await me(await forge({ jwk: attackerJwk }, {}, attacker.privateKey)), 401, 'AUTHENTICATION_ERROR');
    await expectError(await me(await forge({ jku: 'https://evil.example/jwks.json' }, {}, attacker.privateKey)), 401, 'AUTHENTICATION_ERROR');
    await expectError(await me(await forge({}, {}, attacker.privateKey)), 401, 'AUTHENTICATION_ERROR');
    await expectError(await me(await forge({ kid: '../../etc/passwd' })), 401, 'AUTHENTICATION_ERROR');
  });

  it('refuses a flipped byte, a truncated token and a four-segment token', async () => {
    const [header, payload, signature] = accessToken.split('.') as [string, string, string];
    for (const token of [
      `${header}.${payload}.${flipByte(signature)}`,
      `${header}.${flipByte(payload)}.${signature}`,
      `${header}.${payload}`,
      accessToken.slice(0, -5),
      `${accessToken}.${signature}`,
    ]) {
      await expectError(await me(token), 401, 'AUTHENTICATION_ERROR');
    }
  });

  it('refuses a wrong audience, a wrong issuer, a wrong typ and an MFA token', async () => {
    const { jwt } = h.deps.config;
    const identity = { sub: genuine.sub!, sid: String(genuine.sid), jti: 'other-jti', role: 'USER' as const, email: 'x@example.com', amr: ['pwd'] };
    const otherAudience = await signAccessToken(h.deps.keys, { issuer: jwt.issuer, audience: 'another-service', ttlSeconds: 900 }, identity, h.clock.nowMs());
    await expectError(await me(otherAudience), 401, 'AUTHENTICATION_ERROR');
    const otherIssuer = await signAccessToken(h.deps.keys, { issuer: 'https://evil.example', audience: jwt.audience, ttlSeconds: 900 }, identity, h.clock.nowMs());
    await expectError(await me(otherIssuer), 401, 'AUTHENTICATION_ERROR');
    await expectError(await me(await forge({ typ: 'JWT' })), 401, 'AUTHENTICATION_ERROR');
    await expectError(await me(await forge({ typ: 'mfa+jwt' }, { type: 'mfa' })), 401, 'AUTHENTICATION_ERROR');
    await expectError(await me(await forge({}, { nbf: Math.floor(h.clock.nowMs() / 1000) + 60 })), 401, 'AUTHENTICATION_ERROR');
  });

  it('answers TOKEN_EXPIRED once the service clock passes exp', async () => {
    h.clock.advance(900);
    try {
      await expectError(await me(accessToken), 401, 'TOKEN_EXPIRED');
    } finally {
      h.clock.advance(-900);
    }
    expect((await me(accessToken)).status).toBe(200);
  });
});

describe('where a token is accepted from', () => {
  it('refuses an access token posted to /auth/refresh', async () => {
    const response = await h.request('/api/v1/auth/refresh', { method: 'POST', json: { refreshToken: accessToken } });
    await expectError(response, 401, 'AUTHENTICATION_ERROR');
  });

  it('ignores a token in the query string', async () => {
    for (const name of ['access_token', 'token', 'accessToken']) {
      await expectError(await h.request(`/api/v1/users/me?${name}=${encodeURIComponent(accessToken)}`), 401, 'AUTHENTICATION_ERROR');
    }
  });

  it('takes only "Bearer <token>" and refuses scheme and spacing variants alike', async () => {
    expect((await me(undefined, { authorization: `Bearer ${accessToken}` })).status).toBe(200);
    const variants = [
      `bearer ${accessToken}`, `BEARER ${accessToken}`, `Bearer  ${accessToken}`, `Bearer\t${accessToken}`, `Bearer${accessToken}`,
      accessToken, `Basic ${accessToken}`, `Token ${accessToken}`, `Bearer ${accessToken}, Bearer ${accessToken}`,
      `Bearer ${accessToken} x`, 'Bearer', 'Bearer ',
    ];
    for (const authorization of variants) {
      const body = await expectError(await me(undefined, { authorization }), 401, 'AUTHENTICATION_ERROR');
      expect(body.error.message).toBe('Invalid or missing access token');
    }
  });
});

describe('the error envelope for bad tokens', () => {
  it('is the same body for every forgery, without internals', async () => {
    const bodies = [];
    for (const token of [`${b64json({ alg: 'none' })}.${b64json(genuine)}.`, await forge({ typ: 'JWT' }), 'a.b.c']) {
      const body = await json(await me(token));
      delete body.error.requestId;
      bodies.push(body);
    }
    expect(bodies[1]).toEqual(bodies[0]);
    expect(bodies[2]).toEqual(bodies[0]);
  });
});
