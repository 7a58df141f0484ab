import { createHarness } from '#harness';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../support/harness';
import { json, registerUser } from './helpers';

// API.md: /.well-known/openid-configuration gives `issuer`, `jwks_uri` and the endpoints that apply. A discovery
// document is read by machines: everything it promises must work the way its standard says.

const APP_URL = 'http://authgate.test';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

const discovery = async () => json(await h.request('/.well-known/openid-configuration'));

/** OAuth/OIDC endpoints take form POSTs (RFC 6749 §3.2, RFC 7009 §2.1); `*_uri` documents are fetched with GET. */
function advertisedRequest(member: string): { method: string; headers?: Record<string, string>; body?: string } {
  if (member.endsWith('_uri')) return { method: 'GET' };
  return { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'token=x&grant_type=refresh_token' };
}

describe('the discovery document', () => {
  it('publishes the issuer, the JWKS and the signing algorithm, and no OAuth token endpoint or grant types', async () => {
    const doc = await discovery();
    expect(doc).toEqual({
      issuer: APP_URL,
      jwks_uri: `${APP_URL}/.well-known/jwks.json`,
      id_token_signing_alg_values_supported: ['RS256'],
    });
  });

  it('advertises only URLs on APP_URL that answer a request of their advertised kind (no 404, no 415)', async () => {
    const doc = await discovery();
    const advertised = Object.entries(doc).filter(([member]) => /_(uri|endpoint)$/.test(member));
    expect(advertised.length).toBeGreaterThan(0);
    for (const [member, url] of advertised) {
      expect(String(url).startsWith(`${APP_URL}/`), member).toBe(true);
      const response = await h.request(String(url).slice(APP_URL.length), advertisedRequest(member));
      expect([404, 405, 415], `${member} answered ${response.status}`).not.toContain(response.status);
    }
  });

  it('is enough for another service to verify our access tokens', async () => {
    const { accessToken } = await registerUser(h);
    const doc = await discovery();
    const jwks = await json(await h.request(new URL(doc.jwks_uri).pathname));
    const { payload } = await jwtVerify(accessToken, createLocalJWKSet(jwks), {
      issuer: doc.issuer,
      algorithms: doc.id_token_signing_alg_values_supported,
      audience: 'authgate-test',
      currentDate: new Date(h.clock.nowMs()),
    });
    expect(payload.iss).toBe(APP_URL);
  });
});
