import { createHarness } from '#harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeExpiredTokens } from '../../src/core/maintenance';
import type { Harness } from '../support/harness';
import { json, registerUser } from './helpers';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ REFRESH_TOKEN_TTL_SECONDS: '3600' });
});
afterAll(async () => {
  await h?.close();
});

async function sessionIdOf(accessToken: string): Promise<string> {
  const { sessions } = (await json(await h.request('/api/v1/sessions', { token: accessToken }))).data;
  return sessions.find((s: { current: boolean }) => s.current).id;
}

describe('purging expired and revoked tokens', () => {
  it('removes revoked and expired sessions after the margin, and keeps live ones', async () => {
    const revoked = await registerUser(h);
    const revokedId = await sessionIdOf(revoked.accessToken);
    expect((await h.request('/api/v1/auth/logout', { method: 'POST', token: revoked.accessToken })).status).toBe(200);
    const expiring = await registerUser(h);
    const expiringId = await sessionIdOf(expiring.accessToken);

    h.clock.advance(3600 + 24 * 3600 + 60);
    const live = await registerUser(h);
    const liveId = await sessionIdOf(live.accessToken);
    try {
      expect(await purgeExpiredTokens(h.deps)).toBeGreaterThanOrEqual(4); // two sessions and their refresh tokens
      expect(await h.deps.db.sessions.findById(revokedId)).toBeNull();
      expect(await h.deps.db.sessions.findById(expiringId)).toBeNull();
      expect(await h.deps.db.sessions.findById(liveId)).not.toBeNull();
      expect((await h.request('/api/v1/auth/refresh', { method: 'POST', json: { refreshToken: live.refreshToken } })).status).toBe(200);
    } finally {
      h.clock.advance(-(3600 + 24 * 3600 + 60));
    }
  });

  it('goes through a backlog larger than one step, in steps, and keeps live sessions', async () => {
    const sessionIds: string[] = [];
    for (let i = 0; i < 5; i++) {
      const user = await registerUser(h);
      sessionIds.push(await sessionIdOf(user.accessToken));
      expect((await h.request('/api/v1/auth/logout', { method: 'POST', token: user.accessToken })).status).toBe(200);
    }
    h.clock.advance(24 * 3600 + 60);
    const live = await registerUser(h);
    try {
      // Steps of 2 rows: five revoked sessions (and their tokens) need several, and all go.
      expect(await purgeExpiredTokens(h.deps, 2)).toBeGreaterThanOrEqual(10);
      for (const id of sessionIds) expect(await h.deps.db.sessions.findById(id)).toBeNull();
      expect((await h.request('/api/v1/auth/refresh', { method: 'POST', json: { refreshToken: live.refreshToken } })).status).toBe(200);
    } finally {
      h.clock.advance(-(24 * 3600 + 60));
    }
  });
});
