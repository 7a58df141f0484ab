// A browser frontend on another origin (issue 6): a page served from a second loopback origin calls authgate through
// the typed client in headless Chromium. The browser enforces CORS for real: preflights, exposed headers, refusals.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage } from '../support/chromium';
import type { Harness } from '../support/harness';
import { createHarness } from '../support/harness-node';
import { uniqueEmail } from '../http/helpers';

const PASSWORD = 'violet-harbour-lantern-42';

const HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>frontend</title></head><body>
<form><input name="email" type="email"><input name="password" type="password"><button>Sign up, then sign out</button></form>
<pre id="result"></pre><script type="module" src="/account-flow.js"></script></body></html>`;

/** The frontend's own static server: the page and the bundled typed client, nothing else. */
async function serveFrontend(): Promise<Server> {
  const bundle = await build({
    entryPoints: [new URL('./pages/account-flow.ts', import.meta.url).pathname],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
  });
  const script = bundle.outputFiles[0]!.contents;
  const server = createServer((request, response) => {
    if (request.url?.startsWith('/account-flow.js')) response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    else response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(HTML);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

let frontend: Server;
let frontendOrigin: string;
let h: Harness;
let browser: Browser;
beforeAll(async () => {
  frontend = await serveFrontend();
  frontendOrigin = `http://127.0.0.1:${(frontend.address() as AddressInfo).port}`;
  h = await createHarness({ TRUST_PROXY: '', CORS_ORIGINS: frontendOrigin });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
  frontend?.closeAllConnections();
  await new Promise((resolve) => frontend?.close(resolve));
});

/** Signs up and out from the page at `origin` (which reaches the API at h.baseUrl) and returns what the page shows. */
async function runAccountFlow(origin: string, email: string): Promise<{ page: Page; problems: string[]; shown: any }> {
  const { page, problems } = await openPage(browser, `${origin}/?api=${encodeURIComponent(h.baseUrl!)}`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button');
  await expect.poll(() => page.locator('#result').textContent()).not.toBe('');
  return { page, problems, shown: JSON.parse((await page.locator('#result').textContent())!) };
}

describe('a frontend on an origin in CORS_ORIGINS', () => {
  it('registers, reads /users/me, refreshes and logs out through the typed client; the logged-out token is refused', async () => {
    const email = uniqueEmail('cross');
    const { page, problems, shown } = await runAccountFlow(frontendOrigin, email);
    expect(shown).toEqual({
      register: { status: 201, requestId: expect.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/), rateLimitRemaining: '4' },
      me: { status: 200, email },
      refresh: { status: 200 },
      meAfterRefresh: { status: 200 },
      logout: { status: 200 },
      meAfterLogout: { status: 401, body: { success: false, error: expect.objectContaining({ code: 'AUTHENTICATION_ERROR' }) } },
    });
    // Chromium logs every 4xx; the refused logged-out token is the only complaint, no CORS error.
    expect(problems).toEqual([expect.stringMatching(/status of 401/)]);
    await page.close();
  });
});

describe('a frontend on an origin not in CORS_ORIGINS', () => {
  it('cannot call the API: the browser stops at the preflight and the account is never created', async () => {
    // localhost and 127.0.0.1 are different origins; only the latter is configured.
    const otherOrigin = frontendOrigin.replace('127.0.0.1', 'localhost');
    const email = uniqueEmail('refused');
    const { page, problems, shown } = await runAccountFlow(otherOrigin, email);
    expect(shown).toEqual({ error: expect.stringMatching(/TypeError: Failed to fetch/) });
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/blocked by CORS policy/)]));
    expect(await h.query('select id from users where email = $1', [email])).toEqual([]);
    await page.close();
  });
});
