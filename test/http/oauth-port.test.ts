import { createHarness } from '#harness';
import { base64url } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OAuthProvider } from '../../src/core/ports';
import type { Harness } from '../support/harness';
import { json } from './helpers';
import { deliverCallback, exchange, startSignIn } from './oauth-helpers';

// The OAuth port takes any implementation: a provider written here, knowing nothing of arctic or oauth4webapi, signs
// people in through the same routes, state handling, account resolution and exchange. It accepts a code only when
// it is bound to the attempt's PKCE verifier, which shows the core hands each provider the attempt it started.

const directory: OAuthProvider = {
  id: 'directory',
  name: 'Company directory',
  type: 'oauth',
  async authorizationUrl(attempt) {
    const url = new URL('https://directory.example/sign-in');
    url.searchParams.set('state', attempt.state);
    return url;
  },
  async redeem(callback, attempt) {
    if (callback.get('code') !== `employee-42:${attempt.codeVerifier}`) throw new Error('unknown code');
    return { subject: 'employee-42', email: 'employee42@directory.example', emailVerified: true, name: 'Employee 42' };
  },
};

let h: Harness;
beforeAll(async () => {
  h = await createHarness({}, { oauthProviders: [directory] });
});
afterAll(async () => {
  await h?.close();
});

describe('another implementation of the OAuth port', () => {
  it('is listed and signs in through the same flow', async () => {
    expect((await json(await h.request('/api/v1/oauth/providers'))).data.providers).toEqual([{ id: 'directory', name: 'Company directory', type: 'oauth' }]);
    const started = await startSignIn(h, 'directory');
    expect(started.location.origin).toBe('https://directory.example');
    const attempt = JSON.parse(new TextDecoder().decode(base64url.decode(started.cookie.split('=')[1]!)));
    const back = new URL('http://authgate.test/api/v1/oauth/directory/callback');
    back.searchParams.set('state', started.location.searchParams.get('state')!);
    back.searchParams.set('code', `employee-42:${attempt.codeVerifier}`);
    const target = await deliverCallback(h, back, started.cookie);
    const body = await json(await exchange(h, target.searchParams.get('code')!));
    expect(body.data).toMatchObject({ isNewUser: true, user: { email: 'employee42@directory.example', name: 'Employee 42' } });
  });
});
