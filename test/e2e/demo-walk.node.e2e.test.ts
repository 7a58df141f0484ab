// The whole /demo walk (./demo-walk.ts) in headless Chromium against the real Node server, with the test OpenID
// provider configured. It also draws docs/screenshots' demo.png (the MFA QR step) into test-results/screenshots/
// (`npm run screenshots` copies it to docs/).
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { freePort, repoRoot } from '../support/authgate-process';
import { launchChromium } from '../support/chromium';
import type { Harness } from '../support/harness';
import { createHarness } from '../support/harness-node';
import { registerOidcClient } from '../support/oidc-login';
import { walkTheDemo } from './demo-walk';

let h: Harness;
let browser: Browser;
let origin: string;
beforeAll(async () => {
  // WebAuthn wants a domain as RP ID and the provider sends the browser back to APP_URL: both are this address.
  const port = await freePort();
  origin = `http://localhost:${port}`;
  const client = await registerOidcClient(inject('oidcIssuer'), [`${origin}/api/v1/oauth/corp/callback`]);
  h = await createHarness(
    {
      TRUST_PROXY: '',
      APP_URL: origin,
      OIDC_PROVIDERS: 'corp',
      OIDC_CORP_NAME: 'Corp SSO',
      OIDC_CORP_ISSUER: inject('oidcIssuer'),
      OIDC_CORP_CLIENT_ID: client.clientId,
      OIDC_CORP_CLIENT_SECRET: client.clientSecret,
    },
    { port },
  );
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('the demo page, walked end to end on Node', () => {
  it('registers, verifies, enrols MFA from the QR code, logs in with a code, uses a passkey and the provider, revokes a session, logs out', async () => {
    await walkTheDemo(
      browser,
      {
        origin,
        mailbox: (to) => h.mailbox(to),
        nowMs: () => h.clock.nowMs(),
        providers: [{ id: 'corp', name: 'Corp SSO', issuer: inject('oidcIssuer') }],
      },
      { screenshot: join(repoRoot, 'test-results/screenshots/demo.png') },
    );
  }, 180_000);
});
