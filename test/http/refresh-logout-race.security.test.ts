import { createHarness } from '#harness';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyValueStore, SessionRepository } from '../../src/core/ports';
import type { Harness } from '../support/harness';
import { expectError, json, registerUser } from './helpers';

// A logout racing a refresh must never leave an access token alive past the session's denylist entry: the sid entry
// written at logout lives one access-token lifetime, so every access token minted for that session must expire
// before it does (or not be minted at all). The races are placed exactly, by running the logout (or the refresh)
// from inside the other's store calls, and made wide by moving the service's clock while the refresh is "slow".

const SLOW_SECONDS = 300;
const ME = '/api/v1/users/me';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

const refresh = (refreshToken: string) => h.request('/api/v1/auth/refresh', { method: 'POST', json: { refreshToken } });
const logout = (accessToken: string) => h.request('/api/v1/auth/logout', { method: 'POST', token: accessToken });

/** Replaces one method of a store object for the length of `run`, then puts the original back. */
async function patched<T extends object, K extends keyof T>(target: T, name: K, replacement: (original: T[K]) => T[K], run: () => Promise<void>) {
  const original = target[name];
  target[name] = replacement(typeof original === 'function' ? (original.bind(target) as T[K]) : original);
  try {
    await run();
  } finally {
    target[name] = original;
  }
}

/**
 * What a client holding the refresh's answer observes: a refused refresh, or an access token that is refused now,
 * expires no later than the denylist entry the logout wrote, and (where the store runs on the service's clock) is
 * still refused once that entry has expired. The successor refresh token is refused too.
 */
async function expectNothingOutlivesTheLogout(answer: Response, logoutAtMs: number) {
  const body = await json(answer);
  if (answer.status !== 200) {
    expect(answer.status, JSON.stringify(body)).toBe(401);
    return;
  }
  const { accessToken, refreshToken } = body.data as { accessToken: string; refreshToken: string };
  expect((await h.request(ME, { token: accessToken })).status).toBe(401);
  expect((await refresh(refreshToken)).status).toBe(401);
  const denyEndsAt = Math.floor(logoutAtMs / 1000) + h.deps.config.jwt.accessTokenTtlSeconds;
  if (h.deps.kv.kind === 'embedded') {
    // The embedded store expires entries on the service's clock: step just past the entry's end.
    h.clock.advance(denyEndsAt + 1 - h.clock.nowMs() / 1000);
    expect((await h.request(ME, { token: accessToken })).status, 'the access token works once the denylist entry is gone').toBe(401);
  }
  expect(decodeJwt(accessToken).exp, 'the access token outlives the session denylist entry').toBeLessThanOrEqual(denyEndsAt);
}

describe('a logout racing a refresh', () => {
  it.each(['rotation', 'grace-window retry'] as const)(
    'lands after the %s was decided and before its access token was minted: no token outlives the denylist entry',
    async (kind) => {
      const { accessToken, refreshToken } = await registerUser(h);
      if (kind === 'grace-window retry') expect((await refresh(refreshToken)).status).toBe(200);
      let logoutAtMs = 0;
      let answer: Response | undefined;
      await patched(
        h.deps.db.sessions,
        'rotateRefreshToken',
        (original): SessionRepository['rotateRefreshToken'] =>
          async (...args) => {
            const outcome = await original(...args);
            expect(outcome.kind).toBe(kind === 'rotation' ? 'rotated' : 'spent');
            logoutAtMs = h.clock.nowMs();
            expect((await logout(accessToken)).status).toBe(200);
            // The refresh is slow from here on (a stalled event loop, a slow audit write): the race made wide.
            h.clock.advance(SLOW_SECONDS);
            return outcome;
          },
        async () => {
          answer = await refresh(refreshToken);
        },
      );
      await expectNothingOutlivesTheLogout(answer!, logoutAtMs);
    },
  );

  it('runs between the two steps of the logout (denylist and database, in either order): nothing outlives the denylist entry', async () => {
    const { accessToken, refreshToken } = await registerUser(h);
    const sid = decodeJwt(accessToken).sid as string;
    let stepsDone = 0;
    let logoutAtMs = 0;
    let answer: Response | undefined;
    // Before the second of the logout's two writes for this session, wait a while and refresh.
    const between = async () => {
      if (++stepsDone !== 2) return;
      h.clock.advance(SLOW_SECONDS);
      answer = await refresh(refreshToken);
    };
    await patched(
      h.deps.kv,
      'set',
      (original): KeyValueStore['set'] =>
        async (key, value, ttl) => {
          if (key.endsWith(`:${sid}`)) {
            await between();
            if (stepsDone === 1) logoutAtMs = h.clock.nowMs();
          }
          return original(key, value, ttl);
        },
      () =>
        patched(
          h.deps.db.sessions,
          'revoke',
          (original): SessionRepository['revoke'] =>
            async (...args) => {
              if (args[1] === sid) await between();
              return original(...args);
            },
          async () => {
            expect((await logout(accessToken)).status).toBe(200);
          },
        ),
    );
    // The denylist entry for the session was written after the refresh in one order, before it in the other.
    if (logoutAtMs === 0) logoutAtMs = h.clock.nowMs();
    expect(stepsDone).toBe(2);
    await expectNothingOutlivesTheLogout(answer!, logoutAtMs);
  });

  it('meets an unreadable denylist: the refresh is a 503 that spends nothing (the race cannot be ruled out)', async () => {
    const { refreshToken } = await registerUser(h);
    await patched(
      h.deps.kv,
      'existsAny',
      (): KeyValueStore['existsAny'] => async () => Promise.reject(new Error('key-value store unreachable (injected)')),
      async () => {
        await expectError(await refresh(refreshToken), 503, 'SERVICE_UNAVAILABLE');
      },
    );
    // The same token rotates once the store is back (no reuse alarm: nothing was spent), and its successor works.
    const again = await refresh(refreshToken);
    const body = await json(again);
    expect(again.status, JSON.stringify(body)).toBe(200);
    expect((await h.request(ME, { token: body.data.accessToken })).status).toBe(200);
  });

  it('leaves reuse detection as it was: a spent token replayed after the logout is still reported as reuse', async () => {
    const { accessToken, refreshToken } = await registerUser(h);
    expect((await refresh(refreshToken)).status).toBe(200);
    expect((await logout(accessToken)).status).toBe(200);
    h.clock.advance(h.deps.config.refreshReuseGraceSeconds + 1);
    await expectError(await refresh(refreshToken), 401, 'TOKEN_REUSE_DETECTED');
  });
});
