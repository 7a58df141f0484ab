// The admin console (/admin) in headless Chromium against the real Node server: the SUPER_ADMIN from ADMIN_EMAIL,
// enrolled in TOTP MFA, signs in with its password and a code, sees the 7-day chart, finds a user, locks them — their
// sessions die at once — and finds the audit row.
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/authgate-process';
import { launchChromium, openPage } from '../support/chromium';
import type { Harness } from '../support/harness';
import { createHarness } from '../support/harness-node';
import { ADMIN_EMAIL, ADMIN_ENV } from '../http/admin-helpers';
import { json, login, registerUser } from '../http/helpers';
import { codeNow, enable, nextCode, post } from '../http/mfa-helpers';

let h: Harness;
let browser: Browser;
let totpSecret: Uint8Array;
beforeAll(async () => {
  // Every request comes from 127.0.0.1 here (no trusted proxy), so the auth rate limit is raised out of the way.
  h = await createHarness({ ...ADMIN_ENV, TRUST_PROXY: '', RATE_LIMIT_AUTH: '1000/60' });
  browser = await launchChromium();
  // ADMIN_MFA_REQUIRED is on (the default): the admin enrols through the API with a code computed here.
  const { accessToken } = (await json(await login(h, ADMIN_EMAIL, ADMIN_ENV.ADMIN_PASSWORD))).data;
  totpSecret = (await enable(h, accessToken)).secretBytes;
  expect((await post(h, '/mfa/verify', { code: await codeNow(h, totpSecret) }, { token: accessToken })).status).toBe(200);
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

const rows = (page: Page, table: string) => page.locator(`#${table} tbody tr`);
const fact = (page: Page, name: string) => page.locator(`#user-facts dd[data-fact="${name}"]`).textContent();

async function signIn(page: Page) {
  await page.fill('#login-form input[name=email]', ADMIN_EMAIL);
  await page.fill('#login-form input[name=password]', ADMIN_ENV.ADMIN_PASSWORD);
  await page.click('#login-form button');
  await page.locator('#mfa-form').waitFor({ state: 'visible' });
  await page.fill('#mfa-form input[name=code]', await nextCode(h, totpSecret));
  await page.click('#mfa-form button');
  await expect.poll(() => page.locator('#who').textContent()).toBe(`${ADMIN_EMAIL} (SUPER_ADMIN)`);
}

describe('the admin console in a browser', () => {
  it('signs in, shows the chart, finds a user, locks them (their sessions die), and shows the audit row', async () => {
    const victim = await registerUser(h, { email: `victim.${Date.now()}@example.com` });
    expect((await login(h, victim.email, victim.password)).status).toBe(200);
    const rootId = (await h.deps.db.users.findByEmail(ADMIN_EMAIL))!.id;

    const { page, problems } = await openPage(browser, `${h.baseUrl}/admin`);
    await page.setViewportSize({ width: 1200, height: 800 });
    await signIn(page);

    // The dashboard: 7 days × 4 series of bars, today's sign-ups counting the victim and the admin.
    await expect.poll(() => page.locator('#chart svg rect[data-series]').count()).toBe(28);
    // The README's picture of the console (`npm run screenshots` copies it to docs/screenshots/).
    await page.screenshot({ path: join(repoRoot, 'test-results/screenshots/admin-console.png') });
    const today = new Date(h.clock.nowMs()).toISOString().slice(0, 10);
    const signups = await page.locator(`#chart rect[data-series=signups][data-date="${today}"]`).getAttribute('data-value');
    expect(Number(signups)).toBeGreaterThanOrEqual(2);
    expect(await page.locator('#totals dd[data-total=Users]').textContent()).toBe('2');

    await page.click('nav button[data-view=users]');
    await page.fill('#user-filters input[name=search]', victim.email);
    await page.click('#user-filters button');
    await expect.poll(() => rows(page, 'users-table').count()).toBe(1);
    await rows(page, 'users-table').first().click();
    await expect.poll(() => page.locator('#user-email').textContent()).toBe(victim.email);
    await expect.poll(() => rows(page, 'user-sessions').count()).toBe(2);

    // The harness clock stands still unless moved: a second later, so the lock is the newest audit row.
    h.clock.advance(1);
    await page.click('#act-lock');
    await expect.poll(() => page.locator('#status').textContent()).toMatch(/^Locked/);
    expect(await fact(page, 'Status')).toBe('locked');
    expect(await rows(page, 'user-sessions').count()).toBe(0);
    expect((await h.request('/api/v1/users/me', { token: victim.accessToken })).status).toBe(401);

    await page.click('nav button[data-view=audit]');
    await page.fill('#audit-filters input[name=userId]', victim.user.id);
    await page.click('#audit-filters button');
    await expect.poll(() => rows(page, 'audit-table').first().locator('td').nth(1).textContent()).toBe('USER_UPDATED_BY_ADMIN');
    expect(await rows(page, 'audit-table').first().locator('td').nth(4).textContent()).toBe(rootId);

    // Unlock from the console too: the victim can sign in again.
    await page.click('nav button[data-view=users]');
    await rows(page, 'users-table').first().click();
    await page.click('#act-unlock');
    await expect.poll(() => fact(page, 'Status')).toBe('active');
    expect((await login(h, victim.email, victim.password)).status).toBe(200);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('keeps the token in page memory only, and refuses a non-admin with an explanation', async () => {
    const user = await registerUser(h);
    const { page, problems } = await openPage(browser, `${h.baseUrl}/admin`);
    await page.fill('#login-form input[name=email]', user.email);
    await page.fill('#login-form input[name=password]', user.password);
    await page.click('#login-form button');
    await expect.poll(() => page.locator('#status').textContent()).toBe('This account is not an administrator.');
    expect(await page.locator('#console').isHidden()).toBe(true);

    await signIn(page);
    const stored = await page.evaluate(() => ({ local: localStorage.length, session: sessionStorage.length, cookie: document.cookie }));
    expect(stored).toEqual({ local: 0, session: 0, cookie: '' });
    await page.click('#sign-out');
    await expect.poll(() => page.locator('#login-form').isVisible()).toBe(true);
    // The page logged the refused session out again: only the session of the registration is left.
    const [live] = await h.query('select count(*)::int as n from sessions where user_id = $1 and revoked_at is null', [user.user.id]);
    expect(live!.n).toBe(1);
    // A non-admin's console errors are the 403 the page explained; nothing else went wrong.
    expect(problems.filter((p) => !/403/.test(p))).toEqual([]);
    await page.close();
  });
});
