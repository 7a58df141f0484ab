import { createHarness } from '#harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../support/harness';
import { expectError, login, uniqueEmail } from './helpers';

// SECURITY.md: rotating X-Forwarded-For / X-Real-IP does not reset a limit unless TRUST_PROXY trusts the peer;
// on Workers only CF-Connecting-IP is believed. API.md: each limited route has its own bucket; refused requests count;
// the headers describe whichever limit has fewer requests left.

let untrusted: Harness;
let h: Harness;
beforeAll(async () => {
  [untrusted, h] = await Promise.all([createHarness({ TRUST_PROXY: '' }), createHarness({ RATE_LIMIT_GLOBAL: '8/60' })]);
});
afterAll(async () => {
  await Promise.all([untrusted?.close(), h?.close()]);
});

let counter = 0;
const rotating = () => `203.0.113.${(counter = (counter % 250) + 1)}`;

describe('client address for rate limits', () => {
  it('is not reset by rotating X-Forwarded-For or X-Real-IP from an untrusted peer', async () => {
    // Node: without TRUST_PROXY the socket peer is the client, so the harness' X-Forwarded-For is ignored too.
    // workerd: the client is CF-Connecting-IP, held fixed here while the other headers rotate.
    const fixed = '198.51.100.77';
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const spoofed = rotating();
      const response = await login(untrusted, uniqueEmail(), 'whatever-password', {
        ip: untrusted.runtime === 'node' ? spoofed : fixed,
        headers: { 'x-forwarded-for': spoofed, 'x-real-ip': spoofed },
      });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });
});

describe('buckets', () => {
  it('gives each limited route its own bucket, and counts refused requests', async () => {
    const ip = '198.51.100.10';
    for (let i = 0; i < 7; i++) await login(h, uniqueEmail(), 'whatever-password', { ip: i < 5 ? ip : '198.51.100.11' });
    // login is exhausted for `ip`, but forgot-password has its own bucket.
    const forgot = await h.request('/api/v1/auth/forgot-password', { method: 'POST', json: { email: uniqueEmail() }, ip });
    expect(forgot.status).toBe(200);
    // A refused attempt still counts: after the 429 the bucket does not recover a slot.
    await expectError(await login(h, uniqueEmail(), 'whatever-password', { ip }), 429, 'RATE_LIMITED');
    await expectError(await login(h, uniqueEmail(), 'whatever-password', { ip }), 429, 'RATE_LIMITED');
  });

  it('describes the limit with fewer requests left when the global and a route limit both apply', async () => {
    const ip = '198.51.100.20';
    for (let i = 0; i < 5; i++) expect((await h.request('/health', { ip })).headers.get('ratelimit-limit')).toBe('8');
    // Global: 8 - 6 = 2 left after this request; login: 5 - 1 = 4 left. The global one is shown.
    const response = await login(h, uniqueEmail(), 'whatever-password', { ip });
    expect(response.headers.get('ratelimit-limit')).toBe('8');
    expect(response.headers.get('ratelimit-remaining')).toBe('2');
    const fresh = await login(h, uniqueEmail(), 'whatever-password', { ip: '198.51.100.21' });
    // Global: 7 left, login: 4 left. The login one is shown.
    expect(fresh.headers.get('ratelimit-limit')).toBe('5');
    expect(fresh.headers.get('ratelimit-remaining')).toBe('4');
  });

  it('limits every route globally per client address', async () => {
    const ip = '198.51.100.30';
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++) statuses.push((await h.request('/health', { ip })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 429]);
  });
});

describe('a burst straddling a window edge', () => {
  // Issue 14: with the previous window's weight floored, 6 logins within 753 ms across a minute boundary all passed
  // RATE_LIMIT_AUTH=5/60. The harness clock drives the windows on both runtimes, so the edge is placed exactly.
  it('still meets a 429 within 6 logins in 753 ms, however they split across the edge', async () => {
    for (let before = 1; before <= 5; before++) {
      const ip = `192.0.2.${before}`;
      const attempt = async () => (await login(h, uniqueEmail(), 'whatever-password', { ip })).status;
      h.clock.advance((60_000 - (h.clock.nowMs() % 60_000) - 400) / 1000); // 400 ms before a minute boundary
      const statuses: number[] = [];
      for (let i = 0; i < before; i++) statuses.push(await attempt());
      h.clock.advance(0.401); // 1 ms past it
      for (let i = before; i < 5; i++) statuses.push(await attempt());
      h.clock.advance(0.352); // the sixth login 753 ms after the first
      const sixth = await attempt();
      // The five are the limit (wrong passwords: 401); the previous window still weighs all it held, so the sixth is refused.
      expect([...statuses, sixth], `${before} before the edge`).toEqual([401, 401, 401, 401, 401, 429]);
    }
  });
});
