import { createHarness } from '#harness';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../support/harness';
import { expectError, json, registerUser } from './helpers';

// SECURITY.md "Tokens" / refresh rotation (RFC 9700 §4.14.2), DESIGN.md "Refresh tokens", API.md grace-window rule.

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

interface Pair {
  accessToken: string;
  refreshToken: string;
}

const refresh = (target: Harness, refreshToken: string) =>
  target.request('/api/v1/auth/refresh', { method: 'POST', json: { refreshToken } });

async function rotate(target: Harness, refreshToken: string): Promise<Pair> {
  const response = await refresh(target, refreshToken);
  const body = await json(response);
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body.data as Pair;
}

const meStatus = async (accessToken: string) => (await h.request('/api/v1/users/me', { token: accessToken })).status;
const pastGrace = () => h.deps.config.refreshReuseGraceSeconds + 1;

describe('rotation', () => {
  it('returns a new pair whose access token works, and never mints a second child for one parent', async () => {
    const { refreshToken } = await registerUser(h);
    const response = await refresh(h, refreshToken);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = await json(response);
    expect(response.status).toBe(200);
    expect(body.data).toMatchObject({ tokenType: 'Bearer', expiresIn: h.deps.config.jwt.accessTokenTtlSeconds });
    expect(body.data.refreshToken).not.toBe(refreshToken);
    expect(await meStatus(body.data.accessToken)).toBe(200);
    // The parent is spent: presenting it again yields the same child, not a fresh one.
    expect((await rotate(h, refreshToken)).refreshToken).toBe(body.data.refreshToken);
  });

  it('refuses unknown, empty and malformed refresh tokens with 401 or 400, never 500', async () => {
    await expectError(await refresh(h, 'x'.repeat(43)), 401, 'AUTHENTICATION_ERROR');
    await expectError(await refresh(h, 'short'), 401, 'AUTHENTICATION_ERROR');
    await expectError(await refresh(h, ''), 400, 'VALIDATION_ERROR');
    await expectError(await h.request('/api/v1/auth/refresh', { method: 'POST', json: { refreshToken: { $ne: '' } } }), 400, 'VALIDATION_ERROR');
  });
});

describe('replay of a spent refresh token', () => {
  it('outside the grace window is reuse: 401 TOKEN_REUSE_DETECTED and the whole session dies at once', async () => {
    const first = await registerUser(h);
    const chain: Pair[] = [first];
    for (let i = 0; i < 3; i++) chain.push(await rotate(h, chain[i]!.refreshToken));
    for (const pair of chain) expect(await meStatus(pair.accessToken)).toBe(200);

    h.clock.advance(pastGrace());
    await expectError(await refresh(h, chain[1]!.refreshToken), 401, 'TOKEN_REUSE_DETECTED');

    // The live descendant and every access token of the session are refused now, although none has expired.
    await expectError(await refresh(h, chain[3]!.refreshToken), 401, 'AUTHENTICATION_ERROR');
    for (const pair of chain) {
      await expectError(await h.request('/api/v1/users/me', { token: pair.accessToken }), 401, 'AUTHENTICATION_ERROR');
    }
    for (const pair of chain.slice(0, 3)) expect((await refresh(h, pair.refreshToken)).status).toBe(401);
    // Other sessions of the same user are not touched.
    const other = await h.request('/api/v1/auth/login', { method: 'POST', json: { email: first.email, password: first.password } });
    expect(other.status).toBe(200);
  });

  it('inside the grace window hands the same child back with a fresh access token, while that child is live', async () => {
    const { refreshToken: parent } = await registerUser(h);
    const child = await rotate(h, parent);
    h.clock.advance(h.deps.config.refreshReuseGraceSeconds - 1);
    const retries = [await rotate(h, parent), await rotate(h, parent)];
    const jtis = new Set([child, ...retries].map((pair) => decodeJwt(pair.accessToken).jti));
    expect(jtis.size).toBe(3);
    for (const retry of retries) {
      expect(retry.refreshToken).toBe(child.refreshToken);
      expect(await meStatus(retry.accessToken)).toBe(200);
    }
    // The session is alive: the child rotates normally.
    expect((await rotate(h, child.refreshToken)).refreshToken).not.toBe(child.refreshToken);
  });

  it('inside the grace window honours only the immediate parent: a grandparent replay is reuse', async () => {
    const { refreshToken: grandparent, accessToken } = await registerUser(h);
    const parent = await rotate(h, grandparent);
    const child = await rotate(h, parent.refreshToken);
    expect((await rotate(h, parent.refreshToken)).refreshToken).toBe(child.refreshToken);

    await expectError(await refresh(h, grandparent), 401, 'TOKEN_REUSE_DETECTED');
    await expectError(await refresh(h, child.refreshToken), 401, 'AUTHENTICATION_ERROR');
    for (const token of [accessToken, parent.accessToken, child.accessToken]) expect(await meStatus(token)).toBe(401);
  });
});

describe('concurrent refreshes', () => {
  it('10 at once of one token all get the one same child (API.md grace rule) and keep the session alive', async () => {
    const { refreshToken } = await registerUser(h);
    const responses = await Promise.all(Array.from({ length: 10 }, () => refresh(h, refreshToken)));
    const bodies = await Promise.all(responses.map((response) => json(response)));
    // Concurrent tabs are what the grace window is for: none of them is mistaken for a thief.
    responses.forEach((response, i) => expect(response.status, JSON.stringify(bodies[i])).toBe(200));
    const pairs = bodies.map((body) => body.data as Pair);
    expect(new Set(pairs.map((pair) => pair.refreshToken)).size).toBe(1);
    expect(new Set(pairs.map((pair) => decodeJwt(pair.accessToken).jti)).size).toBe(10);
    for (const pair of pairs) expect(await meStatus(pair.accessToken)).toBe(200);
    const next = await rotate(h, pairs[0]!.refreshToken);
    expect(await meStatus(next.accessToken)).toBe(200);
  });
});

describe('refresh tokens that must fail at once', () => {
  it('after the absolute session lifetime, even for a child minted late in the session', async () => {
    const short = await createHarness({ REFRESH_TOKEN_TTL_SECONDS: '60' });
    try {
      const { refreshToken } = await registerUser(short);
      short.clock.advance(30);
      const child = await rotate(short, refreshToken);
      short.clock.advance(31);
      await expectError(await refresh(short, child.refreshToken), 401, 'AUTHENTICATION_ERROR');
    } finally {
      await short.close();
    }
  });

  it('of a locked user', async () => {
    const { refreshToken, user } = await registerUser(h);
    const now = new Date(h.clock.nowMs());
    await h.deps.db.users.lockUntil(user.id, new Date(now.getTime() + 15 * 60_000), now);
    await expectError(await refresh(h, refreshToken), 401, 'AUTHENTICATION_ERROR');
  });

  it('of a user locked since: a second tab retrying inside the grace window is refused, not treated as theft', async () => {
    const { refreshToken, user } = await registerUser(h);
    await rotate(h, refreshToken);
    const now = new Date(h.clock.nowMs());
    await h.deps.db.users.lockUntil(user.id, new Date(now.getTime() + 15 * 60_000), now);
    await expectError(await refresh(h, refreshToken), 401, 'AUTHENTICATION_ERROR');
    const actions = (await h.deps.db.audit.listForUser(user.id, 50)).map((entry) => entry.action);
    expect(actions).not.toContain('TOKEN_REUSE_DETECTED');
  });
});

describe('audit of refresh', () => {
  it('writes TOKEN_REFRESHED and TOKEN_REUSE_DETECTED rows that hold no token value', async () => {
    const first = await registerUser(h);
    const second = await rotate(h, first.refreshToken);
    h.clock.advance(pastGrace());
    await expectError(await refresh(h, first.refreshToken), 401, 'TOKEN_REUSE_DETECTED');

    const rows = await h.deps.db.audit.listForUser(first.user.id, 100);
    const sid = decodeJwt(first.accessToken).sid;
    expect(rows.find((row) => row.action === 'TOKEN_REFRESHED')).toMatchObject({ outcome: 'success', metadata: { sessionId: sid } });
    expect(rows.find((row) => row.action === 'TOKEN_REUSE_DETECTED')).toMatchObject({ outcome: 'failure', metadata: { sessionId: sid } });
    const text = JSON.stringify(rows);
    for (const token of [first.accessToken, first.refreshToken, second.accessToken, second.refreshToken]) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(token.split('.').pop()!);
    }
  });
});
