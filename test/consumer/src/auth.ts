// A frontend's use of the packed @authgate/client: type-checked under nodenext and bundler resolution and bundled
// for the browser by test/integration/client-package.test.ts. The @ts-expect-error lines prove the types are real:
// were anything `any`, they would be unused directives, which tsc reports as errors.
import { createClient, type AppType, type AuthgateClient } from '@authgate/client';
import { hc, type InferRequestType, type InferResponseType } from 'hono/client';

let accessToken: string | undefined;

export const client: AuthgateClient = createClient('https://auth.example.com', { accessToken: () => accessToken });

export type LoginBody = InferRequestType<typeof client.api.v1.auth.login.$post>['json'];
export type Profile = InferResponseType<typeof client.api.v1.users.me.$get>['data']['user'];

export async function logIn(body: LoginBody): Promise<{ mfaToken: string } | { role: Profile['role'] }> {
  const response = await client.api.v1.auth.login.$post({ json: body });
  const { data } = await response.json();
  if (data.mfaRequired) return { mfaToken: data.mfaToken };
  accessToken = data.accessToken;
  const expiresInSeconds: number = data.expiresIn;
  void expiresInSeconds;
  return { role: data.user.role };
}

export async function me(): Promise<Profile> {
  const response = await client.api.v1.users.me.$get();
  const { data } = await response.json();
  const verified: boolean = data.user.emailVerified;
  void verified;
  return data.user;
}

/** AppType is exported too, for code that builds its own hc client. */
export const plain = hc<AppType>('https://auth.example.com');

export async function verifiedViaAppType(): Promise<boolean> {
  const response = await plain.api.v1.users.me.$get();
  return (await response.json()).data.user.emailVerified;
}

export function wrongCalls(): void {
  // @ts-expect-error: password is required
  void client.api.v1.auth.login.$post({ json: { email: 'ada@example.com' } });
  // @ts-expect-error: an e-mail is a string
  void client.api.v1.auth.login.$post({ json: { email: 42, password: 'violet-harbour-lantern-42' } });
  // @ts-expect-error: there is no such route
  void client.api.v1.auth.nothing.$post();
  // @ts-expect-error: PATCH /users/me takes a name, not a role
  void plain.api.v1.users.me.$patch({ json: { role: 'ADMIN' } });
  // @ts-expect-error: a role is one of USER, ADMIN, SUPER_ADMIN
  const role: Profile['role'] = 'ROOT';
  void role;
}
