// The demo page in headless Chromium signs in through the local OpenID provider (oidc-provider): a button per
// configured provider, the provider's login form, the redirect back with a one-time code, the exchange.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../support/authgate-process';
import { launchChromium, openPage } from '../support/chromium';
import type { Harness } from '../support/harness';
import { createHarness } from '../support/harness-node';
import { registerOidcClient } from '../support/oidc-login';

let h: Harness;
let browser: Browser;
beforeAll(async () => {
  // The provider sends the browser back to APP_URL, so APP_URL must be where this server really listens.
  const port = await freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  const client = await registerOidcClient(inject('oidcIssuer'), [`${appUrl}/api/v1/oauth/corp/callback`]);
  h = await createHarness(
    {
      TRUST_PROXY: '',
      APP_URL: appUrl,
      OIDC_PROVIDERS: 'corp',
      OIDC_CORP_NAME: 'Corp SSO',
      OIDC_CORP_ISSUER: inject('oidcIssuer'),
      OIDC_CORP_CLIENT_ID: client.clientId,
      OIDC_CORP_CLIENT_SECRET: client.clientSecret,
    },
    { port },
  );
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

const output = async (page: Page) => JSON.parse((await page.locator('#out').textContent()) || 'null');

/** On the demo page: click the provider's button and sign in at its login form as `email`. */
async function signInAtProvider(page: Page, email: string, verified: boolean) {
  await page.click('a[data-provider=corp]');
  await page.waitForURL(`${inject('oidcIssuer')}/interaction/**`);
  await page.fill('input[name=sub]', `browser-${email}`);
  await page.fill('input[name=email]', email);
  if (verified) await page.check('input[name=email_verified]');
  await page.click('button[type=submit]');
  await page.waitForURL(`${h.baseUrl}/demo`);
}

describe('the demo page with an OpenID provider', () => {
  it('shows a button per configured provider and signs in through it, leaving no code in the address bar', async () => {
    const email = `browser.oidc.${Date.now()}@example.com`;
    const { page, problems } = await openPage(browser, `${h.baseUrl}/demo`);
    await expect.poll(() => page.locator('#provider-buttons a').allTextContents()).toEqual(['Sign in with Corp SSO']);
    await signInAtProvider(page, email, true);
    await expect.poll(() => page.locator('#who').textContent()).toBe(email);
    expect(page.url()).toBe(`${h.baseUrl}/demo`);
    await page.click('#identities');
    await expect.poll(async () => (await output(page))?.data?.identities?.map((i: { provider: string }) => i.provider)).toEqual(['corp']);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows why a sign-in was refused', async () => {
    const { page } = await openPage(browser, `${h.baseUrl}/demo`);
    await signInAtProvider(page, `browser.unverified.${Date.now()}@example.com`, false);
    await expect.poll(() => output(page)).toEqual({ success: false, error: { code: 'email_not_verified' } });
    expect(await page.locator('#account').isHidden()).toBe(true);
    await page.close();
  });
});
