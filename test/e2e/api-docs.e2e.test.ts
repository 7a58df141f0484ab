// /api-docs in headless Chromium with every request to another host refused: the reference renders from the
// service alone (no CDN, no font host), and its CSP lets it.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium';
import type { Harness } from '../support/harness';
import { createHarness } from '../support/harness-node';

let h: Harness;
let browser: Browser;
beforeAll(async () => {
  h = await createHarness();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('the API reference in a browser without internet', () => {
  it('lists the operations from /openapi.json using only this service, with no CSP or other console error', async () => {
    const page = await browser.newPage();
    const origin = new URL(`${h.baseUrl}/`).origin;
    const refused: string[] = [];
    const problems: string[] = [];
    page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
    page.on('pageerror', (error) => problems.push(error.message));
    // As if offline: anything not addressed to the service under test is aborted (and remembered).
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (new URL(url).origin === origin) return route.continue();
      refused.push(url);
      return route.abort('internetdisconnected');
    });

    const response = await page.goto(`${h.baseUrl}/api-docs`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toMatch(/script-src 'self';/);
    expect(response?.headers()['content-security-policy']).not.toMatch(/https:|unsafe-inline/);

    const login = page.locator('details', { hasText: '/api/v1/auth/login' });
    await expect.poll(() => login.count(), { timeout: 10_000 }).toBe(1);
    await login.locator('summary').click();
    expect(await login.textContent()).toContain('200');
    expect(await page.locator('h2').allTextContents()).toEqual(expect.arrayContaining(['system']));

    expect(refused).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });
});
