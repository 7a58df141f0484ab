import { createHarness } from '#harness';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { createClient } from '../../src/client';
import type { Harness } from '../support/harness';
import { STRONG_PASSWORD, uniqueEmail } from './helpers';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('the typed client', () => {
  it('registers, reads /users/me and logs out with typed requests and responses', async () => {
    let accessToken: string | undefined;
    const client = createClient('http://authgate.test', {
      accessToken: () => accessToken,
      fetch: async (input, init) => {
        const url = new URL(input instanceof Request ? input.url : String(input));
        return h.request(url.pathname + url.search, init as never);
      },
    });
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

  it('rejects wrongly shaped requests at compile time', () => {
    const client = createClient('http://authgate.test');
    // These lines are checked by `tsc --noEmit` (CI); they never run.
    const neverCalled = () => {
      // @ts-expect-error: password is required
      void client.api.v1.auth.login.$post({ json: { email: 'a@example.com' } });
      // @ts-expect-error: no such route
      void client.api.v1.auth.nothing.$post();
    };
    expect(typeof neverCalled).toBe('function');
  });
});
