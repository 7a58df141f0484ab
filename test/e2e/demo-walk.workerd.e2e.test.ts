// The whole /demo walk (./demo-walk.ts) in headless Chromium against the Worker: the bundle `npm run build:worker`
// makes, run by workerd (Miniflare) on a loopback port, on PostgreSQL and Redis through the Neon and Upstash bridges
// (../support/worker-server.ts), with the test OpenID provider configured. Same page, same CSP, same walk as on Node.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { freePort } from '../support/authgate-process';
import { launchChromium } from '../support/chromium';
import { registerOidcClient } from '../support/oidc-login';
import { startWorkerServer, type WorkerServer } from '../support/worker-server';
import { walkTheDemo } from './demo-walk';

let worker: WorkerServer;
let browser: Browser;
beforeAll(async () => {
  const port = await freePort();
  const client = await registerOidcClient(inject('oidcIssuer'), [`http://localhost:${port}/api/v1/oauth/corp/callback`]);
  worker = await startWorkerServer(port, {
    OIDC_PROVIDERS: 'corp',
    OIDC_CORP_NAME: 'Corp SSO',
    OIDC_CORP_ISSUER: inject('oidcIssuer'),
    OIDC_CORP_CLIENT_ID: client.clientId,
    OIDC_CORP_CLIENT_SECRET: client.clientSecret,
  });
  browser = await launchChromium();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await worker?.close();
});

describe('the demo page, walked end to end on Workers (workerd)', () => {
  it('registers, verifies, enrols MFA from the QR code, logs in with a code, uses a passkey and the provider, revokes a session, logs out', async () => {
    await walkTheDemo(browser, {
      origin: worker.origin,
      mailbox: (to) => worker.mailbox(to),
      nowMs: () => Date.now(),
      providers: [{ id: 'corp', name: 'Corp SSO', issuer: inject('oidcIssuer') }],
    });
  }, 180_000);
});
