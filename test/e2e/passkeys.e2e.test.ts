// Passkeys on the /demo page in headless Chromium with a CDP virtual authenticator (a platform authenticator that
// holds discoverable credentials and verifies its user): add a passkey, then sign in with it, no password typed.
// WebAuthn needs a secure context and a domain as RP ID, so the page is served as http://localhost:PORT and the
// service is configured for exactly that origin.
import { decodeJwt } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addVirtualAuthenticator, launchChromium, openPage } from '../support/chromium';
import { freePort } from '../support/authgate-process';
import type { Harness } from '../support/harness';
import { createHarness } from '../support/harness-node';

const PASSWORD = 'violet-harbour-lantern-42';

let h: Harness;
let browser: Browser;
let origin: string;
beforeAll(async () => {
  const port = await freePort();
  origin = `http://localhost:${port}`;
  h = await createHarness({ TRUST_PROXY: '', APP_URL: origin }, { port });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

const output = async (page: Page) => JSON.parse((await page.locator('#out').textContent()) || 'null');

describe('passkeys on the demo page in a browser', () => {
  it('adds a passkey to a signed-in account, then signs in with it without a password', async () => {
    const email = `passkey.${Date.now()}@example.com`;
    const { page, problems } = await openPage(browser, `${origin}/demo`);
    const { cdp, authenticatorId } = await addVirtualAuthenticator(page);

    await page.fill('#register input[name=email]', email);
    await page.fill('#register input[name=password]', PASSWORD);
    await page.click('#register button');
    await expect.poll(() => page.locator('#who').textContent()).toBe(email);

    await page.click('#add-passkey');
    await expect.poll(async () => (await output(page))?.data?.passkey?.name).toMatch(/Chrome|Chromium/);
    const { passkey } = (await output(page)).data;
    expect(passkey).toMatchObject({ transports: ['internal'], lastUsedAt: null });
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]).toMatchObject({ isResidentCredential: true, rpId: 'localhost' });

    await page.click('#logout');
    await expect.poll(() => output(page)).toEqual({ success: true, data: { loggedOut: true } });
    // A fresh page load: nothing of the first session is left in memory; the authenticator stays with the tab.
    await page.reload();
    await page.click('#passkey-login');
    await expect.poll(() => page.locator('#who').textContent()).toBe(email);
    const session = (await output(page)).data;
    expect(session).toMatchObject({ mfaRequired: false, user: { email } });
    expect(decodeJwt(session.accessToken).amr).toEqual(['hwk', 'user']);
    expect(await page.inputValue('#login input[name=password]')).toBe('');

    await page.click('#passkeys');
    await expect.poll(async () => (await output(page))?.data?.passkeys?.length).toBe(1);
    expect((await output(page)).data.passkeys[0]).toMatchObject({ id: passkey.id, lastUsedAt: expect.any(String) });
    const [credential] = (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
    expect(credential!.signCount).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    await page.close();
  });
});
