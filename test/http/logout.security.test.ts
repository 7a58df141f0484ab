import { createHarness } from '#harness';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAccessToken } from '../../src/core/access-token';
import type { KeyValueStore } from '../../src/core/ports';
import type { Harness } from '../support/harness';
import { expectError, json, login, registerUser } from './helpers';

// SECURITY.md "Tokens" (logout) and "Faults" (key-value store down: the denylist fails closed, rate limits fail open).

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

const logout = (token?: string) => h.request('/api/v1/auth/logout', { method: 'POST', ...(token ? { token } : {}) });
const me = (token: string) => h.request('/api/v1/users/me', { token });
const refresh = (refreshToken: string) => h.request('/api/v1/auth/refresh', { method: 'POST', json: { refreshToken } });

/** A user with two sessions: the one that logs out and a bystander. */
async function twoSessions() {
  const first = await registerUser(h);
  const response = await login(h, first.email, first.password);
  expect(response.status).toBe(200);
  const second = (await json(response)).data as { accessToken: string; refreshToken: string };
  return { user: first.user as { id: string; email: string; role: 'USER' }, first, second };
}

/** An access token we mint ourselves with chosen sid and jti: the shape a re-encoded copy of a token would have. */
async function mint(user: { id: string; email: string }, sid: string, jti: string) {
  const { jwt } = h.deps.config;
  // One second later, so the copy differs from the original byte for byte (another iat/exp) while keeping its jti.
  h.clock.advance(1);
  const settings = { issuer: jwt.issuer, audience: jwt.audience, ttlSeconds: jwt.accessTokenTtlSeconds };
  return signAccessToken(h.deps.keys, settings, { sub: user.id, sid, jti, role: 'USER', email: user.email, amr: ['pwd'] }, h.clock.nowMs());
}

describe('logout', () => {
  it('answers {loggedOut:true} to a bodiless POST and kills that access token and its refresh token at once', async () => {
    const { accessToken, refreshToken } = await registerUser(h);
    const response = await logout(accessToken);
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({ success: true, data: { loggedOut: true } });
    await expectError(await me(accessToken), 401, 'AUTHENTICATION_ERROR');
    await expectError(await refresh(refreshToken), 401, 'AUTHENTICATION_ERROR');
    await expectError(await logout(accessToken), 401, 'AUTHENTICATION_ERROR');
  });

  it('accepts an empty JSON object as the body too, and refuses a non-JSON body', async () => {
    const { accessToken } = await registerUser(h);
    const form = await h.request('/api/v1/auth/logout', {
      method: 'POST',
      token: accessToken,
      headers: { 'content-type': 'text/plain' },
      body: 'bye',
    });
    await expectError(form, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect((await h.request('/api/v1/auth/logout', { method: 'POST', token: accessToken, json: {} })).status).toBe(200);
  });

  it('needs a valid access token', async () => {
    await expectError(await logout(), 401, 'AUTHENTICATION_ERROR');
    await expectError(await logout('not.a.token'), 401, 'AUTHENTICATION_ERROR');
  });

  it('kills every token with the logged-out jti, even one naming another live session', async () => {
    const { user, first, second } = await twoSessions();
    const { jti, sid } = decodeJwt(first.accessToken) as { jti: string; sid: string };
    const otherSid = decodeJwt(second.accessToken).sid as string;
    // Control: a token we mint for the bystander session is accepted, so only the jti can refuse the copies below.
    expect((await me(await mint(user, otherSid, crypto.randomUUID()))).status).toBe(200);

    expect((await logout(first.accessToken)).status).toBe(200);
    await expectError(await me(await mint(user, sid, jti)), 401, 'AUTHENTICATION_ERROR');
    await expectError(await me(await mint(user, otherSid, jti)), 401, 'AUTHENTICATION_ERROR');
  });

  it('leaves the same user’s other sessions working', async () => {
    const { first, second } = await twoSessions();
    expect((await logout(first.accessToken)).status).toBe(200);
    expect((await me(second.accessToken)).status).toBe(200);
    const rotated = await refresh(second.refreshToken);
    expect(rotated.status).toBe(200);
    expect((await me((await json(rotated)).data.accessToken)).status).toBe(200);
  });

  it('writes a LOGOUT audit row without token values', async () => {
    const { accessToken, refreshToken, user } = await registerUser(h);
    expect((await logout(accessToken)).status).toBe(200);
    const rows = await h.deps.db.audit.listForUser(user.id, 50);
    expect(rows.find((row) => row.action === 'LOGOUT')).toMatchObject({ outcome: 'success', metadata: { sessionId: decodeJwt(accessToken).sid } });
    const text = JSON.stringify(rows);
    for (const secret of [accessToken, accessToken.split('.')[2]!, refreshToken]) expect(text).not.toContain(secret);
  });
});

const KV_OPERATIONS = ['set', 'get', 'take', 'increment', 'delete', 'existsAny', 'hitSlidingWindow', 'ping'] as const;

/**
 * Fault injection at the store boundary: deps.kv is the harness's own dependency object (the real store adapter),
 * so making its operations throw is the store "going down" without touching the code under test. Restored after.
 */
async function withKeyValueDown(run: (warnings: string[]) => Promise<void>) {
  const kv = h.deps.kv as unknown as Record<string, unknown>;
  const saved = Object.fromEntries(KV_OPERATIONS.map((name) => [name, kv[name]]));
  const logger = h.deps.logger;
  const savedWarn = logger.warn;
  const warnings: string[] = [];
  for (const name of KV_OPERATIONS) kv[name] = async () => Promise.reject(new Error('key-value store unreachable (injected)'));
  logger.warn = (message, fields) => {
    warnings.push(`${message} ${JSON.stringify(fields ?? {})}`);
  };
  try {
    await run(warnings);
  } finally {
    Object.assign(kv, saved);
    logger.warn = savedWarn;
  }
}

describe('with the key-value store down', () => {
  it('refuses authenticated requests with 503 (fail closed) and writes nothing half-way', async () => {
    const { accessToken, refreshToken } = await registerUser(h);
    await withKeyValueDown(async () => {
      await expectError(await me(accessToken), 503, 'SERVICE_UNAVAILABLE');
      await expectError(await logout(accessToken), 503, 'SERVICE_UNAVAILABLE');
    });
    // The failed logout revoked nothing: the session is whole once the store is back.
    expect((await me(accessToken)).status).toBe(200);
    expect((await refresh(refreshToken)).status).toBe(200);
  });

  it('still serves a public rate-limited route (fail open) and logs that the limiter is off', async () => {
    const { email, password } = await registerUser(h);
    await withKeyValueDown(async (warnings) => {
      const response = await login(h, email, password);
      const body = await json(response);
      expect(response.status, JSON.stringify(body)).toBe(200);
      expect(body.data.accessToken).toEqual(expect.any(String));
      expect(response.headers.get('ratelimit-limit')).toBeNull();
      expect(warnings.join('\n')).toMatch(/rate limit/i);
    });
  });

  it('answers normally again, limiter included, once the store is back', async () => {
    const kv: KeyValueStore = h.deps.kv;
    await expect(kv.existsAny(['deny:jti:none'])).resolves.toBe(false);
    const { email, password } = await registerUser(h);
    expect((await login(h, email, password)).headers.get('ratelimit-limit')).toBe('5');
  });
});
