import { createHarness } from '#harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueLinkToken } from '../../src/core/link-tokens';
import type { Harness } from '../support/harness';
import { json, login, registerUser } from './helpers';

// A sign-in that verified against a state that changed before it finished must create nothing: an old password
// racing a reset or a change, a login racing a lock. Production Argon2id cost, so the password check takes as long
// as it does for real users and the races have the width they have in production. Lockout is off here (the old
// password fails many times on purpose); the lockout races have their own file.
// The issue's bar for the reset race is 50 looped trials; the other races share its machinery and need fewer.
const TRIALS = 50;
const SHORTER = 20;
// Hundreds of production-cost hashes per test on a 2-core machine (workerd's WASM hashing is the slower one).
const RACE_TIMEOUT_MS = 300_000;
const RACE_ENV = { ARGON2_MEMORY_KIB: '19456', ARGON2_ITERATIONS: '2', LOCKOUT_THRESHOLD: '100000' };

// Node runs the races on PGlite and on the real PostgreSQL (node-postgres); workerd runs them on the real
// PostgreSQL through the Neon HTTP bridge.
const databases = typeof navigator !== 'undefined' && navigator.userAgent === 'Cloudflare-Workers' ? (['postgres'] as const) : (['pglite', 'postgres'] as const);

describe.each(databases)('on %s', (database) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(RACE_ENV, { database });
  });
  afterAll(async () => {
    await h?.close();
  });

  const after = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /** Sessions opened by `logins` that still work: their access token on /users/me, or their refresh token. */
  async function survivors(logins: Response[]): Promise<number> {
    let alive = 0;
    for (const response of logins.filter((r) => r.status === 200)) {
      const { data } = await json(response);
      const me = await h.request('/api/v1/users/me', { token: data.accessToken });
      const refresh = await h.request('/api/v1/auth/refresh', { method: 'POST', json: { refreshToken: data.refreshToken } });
      if (me.status !== 401 || refresh.status !== 401) alive++;
    }
    return alive;
  }

  /** Logins with `password` started 0–30 ms apart while `change` runs, started at a random point of that span. */
  async function race(email: string, password: string, change: () => Promise<Response>) {
    const logins = Promise.all([0, 7, 14, 21, 30].map((ms) => after(ms).then(() => login(h, email, password))));
    const changed = await after(Math.floor(Math.random() * 30)).then(change);
    return { changed, logins: await logins };
  }

  describe('an old password racing the change that retires it', () => {
    it(`opens no session that outlives a password reset (${TRIALS} trials)`, async () => {
      const { email, user } = await registerUser(h);
      let password = 'violet-harbour-lantern-42';
      let opened = 0;
      let alive = 0;
      for (let trial = 0; trial < TRIALS; trial++) {
        const token = await issueLinkToken(h.deps, user.id, 'reset_password', 3600);
        const next = `reset-number-${trial}-harbour-lantern`;
        const { changed, logins } = await race(email, password, () =>
          h.request(`/api/v1/auth/reset-password/${token}`, { method: 'POST', json: { password: next } }),
        );
        expect(changed.status, `trial ${trial}`).toBe(200);
        opened += logins.filter((r) => r.status === 200).length;
        alive += await survivors(logins);
        password = next;
      }
      expect(alive).toBe(0);
      // The races were real: logins that verified before the reset did open sessions (which the reset then ended).
      expect(opened).toBeGreaterThan(0);
    }, RACE_TIMEOUT_MS);

    it(`opens no session that outlives a password change, and the changing session lives on (${SHORTER} trials)`, async () => {
      const { email, accessToken, refreshToken } = await registerUser(h);
      let password = 'violet-harbour-lantern-42';
      let refresh = refreshToken;
      let alive = 0;
      for (let trial = 0; trial < SHORTER; trial++) {
        const next = `changed-number-${trial}-harbour-lantern`;
        const { changed, logins } = await race(email, password, () =>
          h.request('/api/v1/auth/change-password', { method: 'POST', token: accessToken, json: { currentPassword: password, newPassword: next } }),
        );
        expect(changed.status, `trial ${trial}`).toBe(200);
        alive += await survivors(logins);
        password = next;
      }
      expect(alive).toBe(0);
      const rotated = await h.request('/api/v1/auth/refresh', { method: 'POST', json: { refreshToken: refresh } });
      expect(rotated.status).toBe(200);
      refresh = (await json(rotated)).data.refreshToken;
      expect((await h.request('/api/v1/users/me', { token: accessToken })).status).toBe(200);
    }, RACE_TIMEOUT_MS);
  });

  describe('a login racing an administrative lock', () => {
    it(`never erases the lock and leaves no session alive (${SHORTER} trials)`, async () => {
      const { lockAccount } = await import('../../src/core/account-state');
      const { email, password, user } = await registerUser(h);
      let alive = 0;
      for (let trial = 0; trial < SHORTER; trial++) {
        const until = new Date(h.clock.nowMs() + 3600_000);
        const { logins } = await race(email, password, async () => {
          await lockAccount(h.deps, user.id, until);
          return new Response(null, { status: 200 });
        });
        expect((await h.deps.db.users.findById(user.id))!.lockedUntil, `trial ${trial}`).toEqual(until);
        alive += await survivors(logins);
        await h.deps.db.users.unlock(user.id, new Date(h.clock.nowMs()));
      }
      expect(alive).toBe(0);
    }, RACE_TIMEOUT_MS);
  });

  describe('the re-hash of a password verified with older parameters', () => {
    it(`never writes the old password back over a reset that landed meanwhile (${SHORTER} trials)`, async () => {
      const older = await createHarness({ ARGON2_MEMORY_KIB: '4096', ARGON2_ITERATIONS: '1' });
      try {
        const { email, user } = await registerUser(h);
        for (let trial = 0; trial < SHORTER; trial++) {
          const old = `older-system-${trial}-harbour-lantern`;
          const stored = (await h.deps.db.users.findById(user.id))!.passwordHash!;
          expect(await h.deps.db.users.rehashPassword(user.id, stored, await older.deps.passwords.hash(old), new Date(h.clock.nowMs()))).toBe(true);
          const token = await issueLinkToken(h.deps, user.id, 'reset_password', 3600);
          const next = `after-reset-${trial}-harbour-lantern`;
          const { changed } = await race(email, old, () =>
            h.request(`/api/v1/auth/reset-password/${token}`, { method: 'POST', json: { password: next } }),
          );
          expect(changed.status).toBe(200);
          const hash = (await h.deps.db.users.findById(user.id))!.passwordHash!;
          expect(await h.deps.passwords.verify(hash, next), `trial ${trial}: the reset password must be the one stored`).toBe(true);
        }
      } finally {
        await older.close();
      }
    }, RACE_TIMEOUT_MS);
  });
});
