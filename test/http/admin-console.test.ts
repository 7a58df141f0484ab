import { createHarness } from '#harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../support/harness';

// The console page as served (its behaviour in a browser is test/e2e/admin.e2e.test.ts). It shares the page helper
// with /demo: both get the same nonce-only CSP.

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

const nonceOf = (csp: string) => /script-src 'nonce-([a-f0-9]{32})'/.exec(csp)?.[1];

describe('GET /admin', () => {
  it('serves the console with a CSP allowing only its nonce-tagged script and style, this origin and nothing third-party', async () => {
    const response = await h.request('/admin');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const csp = response.headers.get('content-security-policy')!;
    const nonce = nonceOf(csp);
    expect(csp).toBe(`default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'`);
    const html = await response.text();
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html.match(/<script\b[^>]*>/g)).toEqual([`<script nonce="${nonce}">`]);
    expect(html.match(/<style\b[^>]*>/g)).toEqual([`<style nonce="${nonce}">`]);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    for (const id of ['login-form', 'mfa-form', 'users-table', 'user-sessions', 'audit-table', 'chart']) expect(html).toContain(`id="${id}"`);
  });

  it('uses a fresh nonce on every load, and /demo gets the same policy', async () => {
    const csp = async (path: string) => (await h.request(path)).headers.get('content-security-policy')!;
    const [first, second, demo] = [await csp('/admin'), await csp('/admin'), await csp('/demo')];
    expect(nonceOf(first)).not.toBe(nonceOf(second));
    expect(demo.replace(/nonce-[a-f0-9]+/g, 'nonce-N')).toBe(first.replace(/nonce-[a-f0-9]+/g, 'nonce-N'));
  });
});
