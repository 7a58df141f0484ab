import { createHarness } from '#harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../support/harness';
import { expectError, login, uniqueEmail } from './helpers';

// SECURITY.md: only CORS_ORIGINS are echoed (with Vary: Origin); `null` and others get no ACAO; never `*` with
// credentials. A browser on an allowed origin must be able to preflight, call, and read the headers API.md promises.

const APP = 'https://app.example.com';

let h: Harness;
let unconfigured: Harness;
beforeAll(async () => {
  // A small global limit, so a test can tell whether preflights are counted against it.
  [h, unconfigured] = await Promise.all([
    createHarness({ CORS_ORIGINS: `${APP},https://admin.example.com`, RATE_LIMIT_GLOBAL: '8/60' }),
    createHarness(),
  ]);
});
afterAll(async () => {
  await Promise.all([h?.close(), unconfigured?.close()]);
});

function preflight(target: Harness, origin: string, extra: { ip?: string; path?: string } = {}) {
  return target.request(extra.path ?? '/api/v1/auth/login', {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
    ...(extra.ip ? { ip: extra.ip } : {}),
  });
}

const listed = (response: Response, name: string) =>
  (response.headers.get(name) ?? '').split(',').map((item) => item.trim().toLowerCase()).filter(Boolean);

const corsHeaderNames = (response: Response) => [...response.headers.keys()].filter((name) => name.startsWith('access-control-'));

function expectSecurityHeaders(response: Response) {
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  expect(response.headers.get('x-frame-options')).toBe('DENY');
  expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
}

describe('preflight', () => {
  it('answers an allowed origin with 204, that origin, the requested method and headers, and Vary: Origin once', async () => {
    const response = await preflight(h, APP);
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    expect(response.headers.get('access-control-allow-origin')).toBe(APP);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(listed(response, 'access-control-allow-methods')).toContain('post');
    expect(listed(response, 'access-control-allow-headers')).toEqual(expect.arrayContaining(['content-type', 'authorization']));
    expect(Number(response.headers.get('access-control-max-age'))).toBeGreaterThan(0);
    expect(listed(response, 'vary')).toEqual(['origin']);
    expect(response.headers.get('x-request-id')).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
    expectSecurityHeaders(response);
  });

  it('echoes each configured origin, only that one', async () => {
    const response = await preflight(h, 'https://admin.example.com', { path: '/api/v1/users/me' });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://admin.example.com');
  });

  it('grants nothing to an origin not configured, to null, or to a lookalike, and never fails', async () => {
    for (const origin of ['https://evil.example.com', 'null', 'https://app.example.com.evil.test', 'http://app.example.com']) {
      const response = await preflight(h, origin);
      expect(response.status, origin).toBe(204);
      expect(corsHeaderNames(response), origin).toEqual([]);
      expect(listed(response, 'vary')).toEqual(['origin']);
      expectSecurityHeaders(response);
    }
  });

  it('grants nothing and never fails when no CORS_ORIGINS are configured', async () => {
    const response = await preflight(unconfigured, APP);
    expect(response.status).toBe(204);
    expect(corsHeaderNames(response)).toEqual([]);
    expectSecurityHeaders(response);
  });

  it('spends neither the login nor the global rate limit, so a browser keeps its whole login budget', async () => {
    const ip = '198.51.100.40';
    // More preflights than either limit (login 5, global 8) allows requests.
    for (let i = 0; i < 10; i++) expect((await preflight(h, APP, { ip })).status).toBe(204);
    const response = await login(h, uniqueEmail(), 'whatever-password', { ip, headers: { origin: APP } });
    expect(response.status).toBe(401);
    expect(response.headers.get('ratelimit-limit')).toBe('5');
    expect(response.headers.get('ratelimit-remaining')).toBe('4');
  });

  it('treats a bare OPTIONS (no Access-Control-Request-Method) as an ordinary request: 405 with Allow', async () => {
    const response = await h.request('/api/v1/auth/login', { method: 'OPTIONS', headers: { origin: APP } });
    expect(response.headers.get('allow')).toContain('POST');
    await expectError(response, 405, 'METHOD_NOT_ALLOWED');
  });
});

describe('actual cross-origin requests', () => {
  it('expose X-Request-ID and the rate-limit headers to an allowed origin, with Vary: Origin once', async () => {
    const response = await login(h, uniqueEmail(), 'whatever-password', { headers: { origin: APP } });
    expect(response.status).toBe(401);
    expect(response.headers.get('access-control-allow-origin')).toBe(APP);
    expect(listed(response, 'access-control-expose-headers')).toEqual(
      expect.arrayContaining([
        'x-request-id',
        'ratelimit-limit',
        'ratelimit-remaining',
        'ratelimit-reset',
        'x-ratelimit-limit',
        'x-ratelimit-remaining',
        'x-ratelimit-reset',
        'retry-after',
      ]),
    );
    expect(listed(response, 'vary')).toEqual(['origin']);
  });

  it('make a 429 readable by the allowed origin, Retry-After included', async () => {
    const ip = '198.51.100.41';
    let last: Response | undefined;
    for (let i = 0; i < 6; i++) last = await login(h, uniqueEmail(), 'whatever-password', { ip, headers: { origin: APP } });
    expect(last!.headers.get('access-control-allow-origin')).toBe(APP);
    expect(listed(last!, 'access-control-expose-headers')).toContain('retry-after');
    await expectError(last!, 429, 'RATE_LIMITED');
  });

  it('carry no CORS grant for another origin, but still Vary: Origin so a cache never mixes the two', async () => {
    const response = await h.request('/health', { headers: { origin: 'https://evil.example.com' } });
    expect(corsHeaderNames(response)).toEqual([]);
    expect(listed(response, 'vary')).toEqual(['origin']);
    const sameOrigin = await h.request('/health');
    expect(corsHeaderNames(sameOrigin)).toEqual([]);
    expect(listed(sameOrigin, 'vary')).toEqual(['origin']);
  });
});
