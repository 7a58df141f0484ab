// The /demo page in headless Chromium against the real Node server: the links the service mails work when clicked.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage as openBrowserPage } from '../support/chromium';
import type { Harness } from '../support/harness';
import { createHarness } from '../support/harness-node';
import { waitForMail } from '../http/helpers';

const PASSWORD = 'violet-harbour-lantern-42';

let h: Harness;
let browser: Browser;
beforeAll(async () => {
  h = await createHarness({ TRUST_PROXY: '' });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

/** The mailed link, opened on the server under test (links carry APP_URL's origin; the path and fragment matter). */
function onServer(link: string): string {
  const url = new URL(link);
  return `${h.baseUrl}${url.pathname}${url.hash}`;
}

function linkIn(text: string, purpose: string): string {
  const match = new RegExp(`https?://\\S+/demo#${purpose}=[A-Za-z0-9_-]+`).exec(text);
  if (!match) throw new Error(`no ${purpose} link in: ${text}`);
  return match[0];
}

const openPage = (path: string) => openBrowserPage(browser, `${h.baseUrl}${path}`);

const output = async (page: Page) => JSON.parse((await page.locator('#out').textContent()) || 'null');

describe('the demo page in a browser', () => {
  it('registers, then verifies the address from the mailed link, wiping the token from the address bar', async () => {
    const email = `browser.${Date.now()}@example.com`;
    const { page, problems } = await openPage('/demo');
    await page.fill('#register input[name=email]', email);
    await page.fill('#register input[name=password]', PASSWORD);
    await page.click('#register button');
    await expect.poll(() => page.locator('#who').textContent()).toBe(email);

    const [mail] = await waitForMail(h, email, /confirm/i);
    await page.goto(onServer(linkIn(mail!.text, 'verify-email')));
    await expect.poll(() => output(page)).toEqual({ success: true, data: { emailVerified: true } });
    expect(page.url()).toBe(`${h.baseUrl}/demo`);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('resets a forgotten password from the mailed link, then logs in, lists sessions and logs out', async () => {
    const email = `browser.reset.${Date.now()}@example.com`;
    const register = await h.request('/api/v1/auth/register', { method: 'POST', json: { email, password: PASSWORD } });
    expect(register.status).toBe(201);

    const { page, problems } = await openPage('/demo#forgot-password');
    await page.fill('#forgot input[name=email]', email);
    await page.click('#forgot button');
    await expect.poll(() => output(page)).toEqual({ success: true, data: { sent: true } });

    const [mail] = await waitForMail(h, email, /reset/i);
    await page.goto(onServer(linkIn(mail!.text, 'reset-password')));
    const newPassword = 'amber-meadow-compass-77';
    await page.fill('#reset input[name=password]', newPassword);
    await page.click('#reset button');
    await expect.poll(() => output(page)).toEqual({ success: true, data: { reset: true } });

    await page.fill('#login input[name=email]', email);
    await page.fill('#login input[name=password]', newPassword);
    await page.click('#login button[type=submit], #login button:not([type])');
    await expect.poll(() => page.locator('#who').textContent()).toBe(email);
    await page.click('#sessions');
    await expect.poll(async () => (await output(page))?.data?.sessions?.length).toBe(1);
    await page.click('#logout');
    await expect.poll(() => output(page)).toEqual({ success: true, data: { loggedOut: true } });
    expect(problems).toEqual([]);
    await page.close();
  });
});
