import { createHarness } from '#harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('GET /demo', () => {
  it('serves the page with a CSP that allows only its own nonce-tagged script and style and this origin', async () => {
    const response = await h.request('/demo');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    const csp = response.headers.get('content-security-policy')!;
    const nonce = /script-src 'nonce-([a-f0-9]+)'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await response.text();
    expect(html).toContain(`<script nonce="${nonce}">`);
    expect(html).not.toMatch(/<script(?![^>]*nonce)/);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
  });

  it('loads @simplewebauthn/browser from this service under the same nonce, never from a CDN', async () => {
    const response = await h.request('/demo');
    const nonce = /script-src 'nonce-([a-f0-9]+)'/.exec(response.headers.get('content-security-policy')!)?.[1];
    const html = await response.text();
    expect(html).toContain(`<script nonce="${nonce}" src="/demo/simplewebauthn-browser.js"></script>`);
    expect(html).not.toMatch(/src="https?:/);
    const script = await h.request('/demo/simplewebauthn-browser.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const source = await script.text();
    expect(source).toMatch(/^\/\* \[@simplewebauthn\/browser@[\d.]+\] \*\//);
    expect(source).toContain('SimpleWebAuthnBrowser');
  });

  it('uses a fresh nonce on every load', async () => {
    const nonceOf = async () => /'nonce-([a-f0-9]+)'/.exec((await h.request('/demo')).headers.get('content-security-policy')!)?.[1];
    expect(await nonceOf()).not.toBe(await nonceOf());
  });
});
