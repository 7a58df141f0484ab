// One account's whole tour of /demo in headless Chromium, as a person would take it, shared by the Node and the
// Workers runs (demo-walk.*.e2e.test.ts): register, open the mailed verification link, log in, enrol TOTP MFA from
// the page (QR code, secret, backup codes), log out, log in with a code, add a passkey and sign in with it, sign in
// with every configured provider (MFA on, so a backup code finishes it), list the sessions and revoke one, log out.
// Every step checks what the page shows and what the service answered; the next step builds on it, so a broken
// step fails the walk. The page must log no console error (a CSP refusal is one) from start to end.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { decodeJwt } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { addVirtualAuthenticator, openPage } from '../support/chromium';
import type { ReceivedMail } from '../support/harness';
import { base32Decode, hotp, secretOfUri, timeStep } from '../support/totp';

export const WALK_PASSWORD = 'violet-harbour-lantern-42';

export interface WalkTarget {
  /** http://localhost:PORT, which is also the service's APP_URL (WebAuthn needs a domain as RP ID). */
  origin: string;
  mailbox(to: string): Promise<ReceivedMail[]>;
  /** The service's clock (Node: the harness clock; Workers: the real one), for TOTP codes. */
  nowMs(): number;
  /** The sign-in buttons the page must show, by provider id, and how the provider's login form is reached. */
  providers: { id: string; name: string; issuer: string }[];
}

export interface WalkOptions {
  /** Write a PNG of the page while the MFA QR code is up. */
  screenshot?: string;
}

const output = async (page: Page) => JSON.parse((await page.locator('#out').textContent()) || 'null');
const who = (page: Page) => page.locator('#who').textContent();

/** TOTP codes of steps no earlier code used (the service refuses a step it has seen), on the service's clock. */
function codes(target: WalkTarget, secret: Uint8Array) {
  let last = -Infinity;
  return () => {
    const step = Math.max(last + 1, timeStep(target.nowMs()));
    last = step;
    return hotp(secret, step);
  };
}

async function expectSignedIn(page: Page, email: string, amr: string[]) {
  await expect.poll(async () => (await output(page))?.data?.accessToken).toEqual(expect.any(String));
  expect(await who(page)).toBe(email);
  const reply = await output(page);
  expect(reply.data.user.email).toBe(email);
  expect(decodeJwt(reply.data.accessToken).amr).toEqual(amr);
  return reply.data as { accessToken: string };
}

async function logOut(page: Page) {
  await page.click('#logout');
  await expect.poll(() => output(page)).toEqual({ success: true, data: { loggedOut: true } });
  expect(await page.locator('#account').isHidden()).toBe(true);
  expect(await who(page)).toBe('');
}

async function passwordLogin(page: Page, email: string) {
  await page.fill('#login input[name=email]', email);
  await page.fill('#login input[name=password]', WALK_PASSWORD);
  await page.click('#login button:not([type])');
}

export async function walkTheDemo(browser: Browser, target: WalkTarget, options: WalkOptions = {}): Promise<void> {
  const { origin } = target;
  const email = `walk.${Date.now()}.${Math.floor(Math.random() * 1e6)}@example.com`;
  const { page, problems } = await openPage(browser, `${origin}/demo`);
  await page.setViewportSize({ width: 1200, height: 800 });
  const { cdp, authenticatorId } = await addVirtualAuthenticator(page);

  // Register: signed in at once, MFA off.
  await page.fill('#register input[name=email]', email);
  await page.fill('#register input[name=password]', WALK_PASSWORD);
  await page.click('#register button');
  await expect.poll(() => who(page)).toBe(email);
  expect(await page.locator('#mfa-state').textContent()).toBe('off');

  // The verification mail's link, opened in the browser: the page posts its token and wipes it from the address bar.
  await expect.poll(async () => (await target.mailbox(email)).length, { timeout: 10_000 }).toBeGreaterThan(0);
  const [mail] = await target.mailbox(email);
  const link = new RegExp(`https?://\\S+/demo#verify-email=[A-Za-z0-9_-]+`).exec(mail!.text)?.[0];
  expect(link, mail!.text).toBeDefined();
  expect(new URL(link!).origin).toBe(origin);
  await page.goto(link!);
  await expect.poll(() => output(page)).toEqual({ success: true, data: { emailVerified: true } });
  expect(page.url()).toBe(`${origin}/demo`);

  // The link only changed the fragment, so the registration's session is still on the page: log out, log in.
  expect(await who(page)).toBe(email);
  await logOut(page);
  await passwordLogin(page, email);
  await expectSignedIn(page, email, ['pwd']);
  expect((await output(page)).data.user.emailVerified).toBe(true);

  // Enrol MFA: the QR code (SVG from /mfa/enable), the secret for manual entry and the 8 backup codes, shown once.
  await page.click('#mfa-enable');
  await page.locator('#mfa-setup').waitFor({ state: 'visible' });
  await expect.poll(() => page.locator('#mfa-qr > svg').count()).toBe(1);
  expect(await page.locator('#mfa-qr svg path').count()).toBeGreaterThan(0);
  const qrBox = await page.locator('#mfa-qr svg').boundingBox();
  expect(qrBox?.width).toBeGreaterThan(100);
  const secretText = (await page.locator('#mfa-secret').textContent())!;
  const secret = base32Decode(secretText);
  // The reply the QR code encodes names the same secret.
  expect(secretOfUri((await output(page)).data.otpauthUrl)).toEqual(secret);
  const backupCodes = await page.locator('#mfa-backup-codes li').allTextContents();
  expect(backupCodes).toHaveLength(8);
  if (options.screenshot) {
    mkdirSync(dirname(options.screenshot), { recursive: true });
    await page.screenshot({ path: options.screenshot });
  }
  const nextCode = codes(target, secret);
  await page.fill('#mfa-setup input[name=code]', await nextCode());
  await page.click('#mfa-setup button');
  await expect.poll(() => output(page)).toEqual({ success: true, data: { mfaEnabled: true } });
  expect(await page.locator('#mfa-setup').isHidden()).toBe(true);
  expect(await page.locator('#mfa-qr').innerHTML()).toBe('');
  expect(await page.locator('#mfa-state').textContent()).toBe('on');
  await logOut(page);

  // Log in again: the password alone is a challenge; a code from the authenticator finishes it.
  await passwordLogin(page, email);
  await page.locator('#mfa-login').waitFor({ state: 'visible' });
  expect((await output(page)).data).toMatchObject({ mfaRequired: true });
  expect(await page.locator('#account').isHidden()).toBe(true);
  await page.fill('#mfa-login input[name=code]', await nextCode());
  await page.click('#mfa-login button:not([type])');
  await expectSignedIn(page, email, ['pwd', 'otp']);
  expect(await page.locator('#mfa-login').isHidden()).toBe(true);
  expect(await page.locator('#mfa-state').textContent()).toBe('on');

  // Add a passkey (the virtual authenticator answers the ceremony) ...
  await page.click('#add-passkey');
  await expect.poll(async () => (await output(page))?.data?.passkey?.name).toMatch(/Chrome|Chromium/);
  expect((await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials).toHaveLength(1);
  await logOut(page);
  // ... and sign in with it on a fresh load: no password, no code (a verified passkey is both factors).
  await page.reload();
  await page.click('#passkey-login');
  const passkeySession = await expectSignedIn(page, email, ['hwk', 'user']);

  // Every configured provider, from a fresh load (as from another tab: the passkey session stays alive on the
  // server): its button, its login form (the same, verified address, so the identity links to this account), back on
  // /demo with MFA asked for, finished with one of the backup codes.
  await page.reload();
  expect(await who(page)).toBe('');
  // The buttons come from the page's own fetch of /oauth/providers, after the load: waited for, not read at once.
  await expect.poll(() => page.locator('#provider-buttons a').allTextContents()).toEqual(target.providers.map((p) => `Sign in with ${p.name}`));
  let providerSession: { accessToken: string } | undefined;
  for (const [i, provider] of target.providers.entries()) {
    await page.click(`a[data-provider=${provider.id}]`);
    await page.waitForURL(`${provider.issuer}/interaction/**`);
    await page.fill('input[name=sub]', `walk-${provider.id}-${email}`);
    await page.fill('input[name=email]', email);
    await page.check('input[name=email_verified]');
    await page.click('button[type=submit]');
    await page.waitForURL(`${origin}/demo`);
    await page.locator('#mfa-login').waitFor({ state: 'visible' });
    await page.fill('#mfa-login input[name=code]', backupCodes[i]!);
    await page.click('#mfa-backup-login');
    providerSession = await expectSignedIn(page, email, ['oauth', 'otp']);
    expect((await output(page)).data.remainingBackupCodes).toBe(7 - i);
  }
  await page.click('#identities');
  await expect.poll(async () => (await output(page))?.data?.identities?.map((i: { provider: string }) => i.provider).sort()).toEqual(
    target.providers.map((p) => p.id).sort(),
  );

  // Sessions: this one is marked, the passkey session has a Revoke button; revoking it kills its token at once.
  await page.click('#sessions');
  const passkeySid = decodeJwt(passkeySession.accessToken).sid as string;
  const currentSid = decodeJwt(providerSession!.accessToken).sid as string;
  await expect.poll(() => page.locator(`#session-list li[data-session="${passkeySid}"] button`).count()).toBe(1);
  expect(await page.locator(`#session-list li[data-session="${currentSid}"]`).textContent()).toContain('(this one)');
  const listed = await page.locator('#session-list li').count();
  expect(await me(origin, passkeySession.accessToken)).toBe(200);
  await page.click(`#session-list li[data-session="${passkeySid}"] button`);
  await expect.poll(() => output(page)).toEqual({ success: true, data: { revoked: true } });
  expect(await page.locator('#session-list li').count()).toBe(listed - 1);
  expect(await me(origin, passkeySession.accessToken)).toBe(401);
  await page.click('#sessions');
  await expect.poll(async () => (await output(page))?.data?.sessions?.map((s: { id: string }) => s.id)).not.toContain(passkeySid);

  // Log out: the page forgets the session and its token stops working.
  await logOut(page);
  expect(await me(origin, providerSession!.accessToken)).toBe(401);
  expect(problems).toEqual([]);
  await page.close();
}

async function me(origin: string, accessToken: string): Promise<number> {
  const response = await fetch(`${origin}/api/v1/users/me`, { headers: { authorization: `Bearer ${accessToken}` } });
  await response.body?.cancel();
  return response.status;
}
