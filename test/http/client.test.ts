import { createHarness } from '#harness';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { createClient } from '../../src/client';
import type { Harness } from '../support/harness';
import { secretOfUri, totp } from '../support/totp';
import { STRONG_PASSWORD, uniqueEmail } from './helpers';
import { newAuthenticator } from './passkey-helpers';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

function clientOf(accessToken: () => string | undefined) {
  return createClient('http://authgate.test', {
    accessToken,
    fetch: async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      return h.request(url.pathname + url.search, init as never);
    },
  });
}

describe('the typed client', () => {
  it('registers, reads /users/me and logs out with typed requests and responses', async () => {
    let accessToken: string | undefined;
    const client = clientOf(() => accessToken);
    const email = uniqueEmail();
    const registered = await client.api.v1.auth.register.$post({ json: { email, password: STRONG_PASSWORD, name: 'Typed' } });
    expect(registered.status).toBe(201);
    if (registered.status !== 201) return;
    const body = await registered.json();
    expectTypeOf(body.data.user.role).toEqualTypeOf<'USER' | 'ADMIN' | 'SUPER_ADMIN'>();
    expectTypeOf(body.data.expiresIn).toEqualTypeOf<number>();
    accessToken = body.data.accessToken;

    const me = await client.api.v1.users.me.$get();
    expect(me.status).toBe(200);
    if (me.status !== 200) return;
    const profile = await me.json();
    expectTypeOf(profile.data.user.emailVerified).toEqualTypeOf<boolean>();
    expect(profile.data.user).toMatchObject({ email, name: 'Typed' });

    const sessions = await client.api.v1.sessions.$get();
    if (sessions.status !== 200) throw new Error(`sessions: ${sessions.status}`);
    expect((await sessions.json()).data.sessions).toHaveLength(1);

    const logout = await client.api.v1.auth.logout.$post();
    expect(logout.status).toBe(200);
    expect((await client.api.v1.users.me.$get()).status).toBe(401);
  });

  it('adds a passkey, lists it and signs in with it, the WebAuthn JSON typed both ways', async () => {
    let accessToken: string | undefined;
    const client = clientOf(() => accessToken);
    const registered = await client.api.v1.auth.register.$post({ json: { email: uniqueEmail(), password: STRONG_PASSWORD } });
    if (registered.status !== 201) throw new Error(`register: ${registered.status}`);
    accessToken = (await registered.json()).data.accessToken;
    const authenticator = newAuthenticator();

    const started = await client.api.v1.passkeys.register.options.$post();
    if (started.status !== 200) throw new Error(`options: ${started.status}`);
    const { challengeId, options } = (await started.json()).data;
    expectTypeOf(options.authenticatorSelection).toEqualTypeOf<
      | { authenticatorAttachment?: 'platform' | 'cross-platform' | undefined; requireResidentKey?: boolean | undefined; residentKey?: 'discouraged' | 'preferred' | 'required' | undefined; userVerification?: 'discouraged' | 'preferred' | 'required' | undefined }
      | undefined
    >();
    const added = await client.api.v1.passkeys.register.verify.$post({ json: { challengeId, response: await authenticator.register(options), name: 'Typed key' } });
    expect(added.status).toBe(201);
    if (added.status !== 201) return;
    const { passkey } = (await added.json()).data;
    expectTypeOf(passkey.lastUsedAt).toEqualTypeOf<string | null>();

    const listed = await client.api.v1.passkeys.$get();
    if (listed.status !== 200) throw new Error(`list: ${listed.status}`);
    expect((await listed.json()).data.passkeys).toEqual([passkey]);

    accessToken = undefined;
    const login = await client.api.v1.auth.passkey.options.$post();
    if (login.status !== 200) throw new Error(`login options: ${login.status}`);
    const request = (await login.json()).data;
    const signedIn = await client.api.v1.auth.passkey.verify.$post({ json: { challengeId: request.challengeId, response: await authenticator.authenticate(request.options) } });
    expect(signedIn.status).toBe(200);
    if (signedIn.status !== 200) return;
    const session = (await signedIn.json()).data;
    if (session.mfaRequired) throw new Error('a passkey with user verification needs no second factor');
    accessToken = session.accessToken;
    const me = await client.api.v1.users.me.$get();
    if (me.status !== 200) throw new Error(`me: ${me.status}`);
    expect((await me.json()).data.user).toEqual(session.user);
  });

  it('enrols in MFA and logs in with a code and a backup code through typed calls', async () => {
    let accessToken: string | undefined;
    const client = clientOf(() => accessToken);
    const email = uniqueEmail();
    const registered = await client.api.v1.auth.register.$post({ json: { email, password: STRONG_PASSWORD } });
    if (registered.status !== 201) throw new Error(`register: ${registered.status}`);
    accessToken = (await registered.json()).data.accessToken;

    const enabled = await client.api.v1.mfa.enable.$post();
    if (enabled.status !== 200) throw new Error(`enable: ${enabled.status}`);
    const enrolment = (await enabled.json()).data;
    expectTypeOf(enrolment.backupCodes).toEqualTypeOf<string[]>();
    const secret = secretOfUri(enrolment.otpauthUrl);
    const verified = await client.api.v1.mfa.verify.$post({ json: { code: await totp(secret, h.clock.nowMs()) } });
    expect(verified.status).toBe(200);

    const passwordStep = async () => {
      const login = await client.api.v1.auth.login.$post({ json: { email, password: STRONG_PASSWORD } });
      if (login.status !== 200) throw new Error(`login: ${login.status}`);
      const challenge = (await login.json()).data;
      if (!challenge.mfaRequired) throw new Error('expected an MFA challenge');
      return challenge.mfaToken;
    };
    h.clock.advance(30);
    const signedIn = await client.api.v1.mfa['verify-login'].$post({ json: { mfaToken: await passwordStep(), code: await totp(secret, h.clock.nowMs()) } });
    if (signedIn.status !== 200) throw new Error(`verify-login: ${signedIn.status}`);
    expect((await signedIn.json()).data.user.mfaEnabled).toBe(true);

    const backup = await client.api.v1.mfa['verify-backup-code'].$post({ json: { mfaToken: await passwordStep(), code: enrolment.backupCodes[0]! } });
    if (backup.status !== 200) throw new Error(`verify-backup-code: ${backup.status}`);
    const backupBody = await backup.json();
    expectTypeOf(backupBody.data.remainingBackupCodes).toEqualTypeOf<number>();
    expect(backupBody.data.remainingBackupCodes).toBe(7);
  });

  it('rejects wrongly shaped requests at compile time', () => {
    const client = createClient('http://authgate.test');
    // These lines are checked by `tsc --noEmit` (CI); they never run.
    const neverCalled = () => {
      // @ts-expect-error: password is required
      void client.api.v1.auth.login.$post({ json: { email: 'a@example.com' } });
      // @ts-expect-error: no such route
      void client.api.v1.auth.nothing.$post();
      // @ts-expect-error: a passkey login needs the authenticator's response
      void client.api.v1.auth.passkey.verify.$post({ json: { challengeId: 'x' } });
      // @ts-expect-error: disabling MFA needs the password too
      void client.api.v1.mfa.disable.$post({ json: { code: '123456' } });
    };
    expect(typeof neverCalled).toBe('function');
  });
});
