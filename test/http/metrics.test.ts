import { createHarness } from '#harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueIp, type Harness } from '../support/harness';
import { parseSamples, sampleValue } from '../support/prometheus-text';
import { json, linkToken, login, registerUser, uniqueEmail, waitForMail } from './helpers';
import { mfaUser, nextCode, passwordStep, post } from './mfa-helpers';

// API.md "Metrics" and System routes: /metrics on Node (prom-client), 404 on Workers.

const METRICS_TOKEN = 'metrics-test-token-0123456789';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ METRICS_TOKEN });
});
afterAll(async () => {
  await h?.close();
});

async function scrape(target = h): Promise<string> {
  const response = await target.request('/metrics', { token: METRICS_TOKEN });
  expect(response.status).toBe(200);
  return response.text();
}

async function refresh(refreshToken: string) {
  return h.request('/api/v1/auth/refresh', { method: 'POST', json: { refreshToken } });
}

// Each runtime registers only the tests that concern it (a skipped test counts as a failure in CI).
/** Registers nothing: the suite does not apply to this runtime. */
const noSuite = (_name: string, _body: () => void) => {};
const onWorkers = typeof navigator !== 'undefined' && navigator.userAgent === 'Cloudflare-Workers';

(onWorkers ? describe : noSuite)('on Workers', () => {
  it('has no /metrics (structured logs replace it there)', async () => {
    expect((await h.request('/metrics', { token: METRICS_TOKEN })).status).toBe(404);
  });
});

(onWorkers ? noSuite : describe)('on Node', () => {
  it('counts a wrong password as a failed password login and a good one as a success', async () => {
    const user = await registerUser(h);
    const before = await scrape();
    expect((await login(h, user.email, 'not-the-password-at-all')).status).toBe(401);
    expect((await login(h, user.email, user.password)).status).toBe(200);
    const after = await scrape();
    for (const result of ['failure', 'success']) {
      const labels = { method: 'password', result };
      expect(sampleValue(after, 'auth_login_total', labels) - sampleValue(before, 'auth_login_total', labels)).toBe(1);
    }
    expect(after).not.toContain(user.email);
    expect(after).not.toContain(user.user.id);
  });

  it('counts an MFA login by its second factor: a wrong code as an mfa failure, a good one as an mfa success', async () => {
    const user = await mfaUser(h);
    const before = await scrape();
    const mfaToken = await passwordStep(h, user);
    const code = await nextCode(h, user.secret);
    const wrong = code === '000000' ? '111111' : '000000';
    expect((await post(h, '/mfa/verify-login', { mfaToken, code: wrong })).status).toBe(401);
    expect((await post(h, '/mfa/verify-login', { mfaToken, code })).status).toBe(200);
    const after = await scrape();
    const delta = (labels: Record<string, string>) => sampleValue(after, 'auth_login_total', labels) - sampleValue(before, 'auth_login_total', labels);
    expect(delta({ method: 'mfa', result: 'failure' })).toBe(1);
    expect(delta({ method: 'mfa', result: 'success' })).toBe(1);
    // The password step ended in a challenge, not a sign-in: it counts as neither.
    expect(delta({ method: 'password', result: 'success' })).toBe(0);
    expect(delta({ method: 'password', result: 'failure' })).toBe(0);
  });

  it('labels requests with the route pattern, never the raw path or the token in it', async () => {
    const user = await registerUser(h);
    const token = linkToken((await waitForMail(h, user.email, /confirm/i))[0]!, 'verify-email');
    expect((await h.request(`/api/v1/auth/verify-email/${token}`, { method: 'POST' })).status).toBe(200);
    await h.request('/no-such-path/secret-looking-segment-1234567890');
    const text = await scrape();
    const route = '/api/v1/auth/verify-email/:token';
    expect(sampleValue(text, 'http_requests_total', { method: 'POST', route, status_code: '200' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(text, 'http_request_duration_seconds_count', { method: 'POST', route, status_code: '200' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(text, 'http_requests_total', { method: 'GET', route: 'unmatched', status_code: '404' })).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain(token);
    expect(text).not.toContain('no-such-path');
    const routes = new Set(parseSamples(text).flatMap((sample) => (sample.labels.route ? [sample.labels.route] : [])));
    for (const pattern of routes) expect(pattern === 'unmatched' || pattern.startsWith('/'), pattern).toBe(true);
  });

  it('counts a lockout, refresh outcomes, rate-limit hits and live sessions', async () => {
    const before = await scrape();
    const user = await registerUser(h);
    const locked = await registerUser(h);
    for (let attempt = 0; attempt < h.deps.config.lockout.threshold; attempt += 1) {
      expect((await login(h, locked.email, 'not-the-password-at-all')).status).toBe(401);
    }
    const child = (await json(await refresh(user.refreshToken))).data.refreshToken as string;
    expect((await refresh(user.refreshToken)).status).toBe(200); // inside the grace window: the same child again
    h.clock.advance(h.deps.config.refreshReuseGraceSeconds + 1);
    expect((await refresh(user.refreshToken)).status).toBe(401); // a replay after it: reuse, the session is revoked
    expect((await refresh('x'.repeat(43))).status).toBe(401);
    const ip = uniqueIp();
    const statuses: number[] = [];
    for (let i = 0; i <= h.deps.config.rateLimit.auth.requests; i += 1) statuses.push((await login(h, uniqueEmail('nobody'), 'wrong-password-here', { ip })).status);
    expect(statuses).toContain(429);
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) => sampleValue(after, name, labels) - sampleValue(before, name, labels);
    expect(delta('auth_lockouts_total')).toBe(1);
    expect(delta('auth_token_refresh_total', { result: 'rotated' })).toBe(1);
    expect(delta('auth_token_refresh_total', { result: 'grace' })).toBe(1);
    expect(delta('auth_token_refresh_total', { result: 'reuse' })).toBe(1);
    expect(delta('auth_token_refresh_total', { result: 'invalid' })).toBe(1);
    expect(delta('auth_rate_limit_hits_total', { rule: 'auth:login' })).toBe(statuses.filter((status) => status === 429).length);
    expect(child).not.toBe(user.refreshToken);
    expect(after).not.toContain(child);
    // Two registrations started two sessions; the reuse revoked one.
    expect(delta('auth_active_sessions')).toBe(1);
    expect(sampleValue(after, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    // The runtime's event-loop delay, sampled every EVENT_LOOP_SAMPLE_MS, is still exported.
    for (const name of ['nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_eventloop_lag_max_seconds']) {
      expect(after).toMatch(new RegExp(`^${name} \\d`, 'm'));
    }
  });

  it('refuses a scrape without the METRICS_TOKEN bearer or with a wrong one', async () => {
    for (const token of [undefined, 'wrong-token', `${METRICS_TOKEN}x`]) {
      const response = await h.request('/metrics', token ? { token } : {});
      expect(response.status, token).toBe(401);
      expect(await response.text()).not.toContain('auth_login_total');
    }
  });

  it('is not served in production without a METRICS_TOKEN', async () => {
    const production = await createHarness({ NODE_ENV: 'production' });
    try {
      expect((await production.request('/metrics')).status).toBe(404);
    } finally {
      await production.close();
    }
  });
});
