// Runs in Chromium, bundled by esbuild: a frontend on its own origin using the typed client the way an app would.
// It walks one account's life and shows each step's outcome in #result, which is all the test reads.
import { createClient } from '../../../src/client';

interface StepOutcome {
  status: number;
  [detail: string]: unknown;
}

async function accountFlow(api: string, email: string, password: string): Promise<Record<string, StepOutcome>> {
  let accessToken: string | undefined;
  const client = createClient(api, { accessToken: () => accessToken });
  const steps: Record<string, StepOutcome> = {};

  const registered = await client.api.v1.auth.register.$post({ json: { email, password } });
  // Headers a cross-origin page can read only when the server exposes them.
  steps.register = {
    status: registered.status,
    requestId: registered.headers.get('x-request-id'),
    rateLimitRemaining: registered.headers.get('ratelimit-remaining'),
  };
  if (registered.status !== 201) return steps;
  const session = (await registered.json()).data;
  accessToken = session.accessToken;

  const me = await client.api.v1.users.me.$get();
  steps.me = { status: me.status, email: me.status === 200 ? (await me.json()).data.user.email : null };

  const refreshed = await client.api.v1.auth.refresh.$post({ json: { refreshToken: session.refreshToken } });
  steps.refresh = { status: refreshed.status };
  if (refreshed.status !== 200) return steps;
  accessToken = (await refreshed.json()).data.accessToken;

  const meAfterRefresh = await client.api.v1.users.me.$get();
  steps.meAfterRefresh = { status: meAfterRefresh.status };

  const logout = await client.api.v1.auth.logout.$post();
  steps.logout = { status: logout.status };

  // The same access token, right after logging out with it.
  const meAfterLogout = await client.api.v1.users.me.$get();
  // The client types only the 200 of /users/me, so the refusal is shown as the body the server sent.
  steps.meAfterLogout = { status: meAfterLogout.status, body: await meAfterLogout.json() };
  return steps;
}

const form = document.querySelector('form')!;
const result = document.getElementById('result')!;
form.addEventListener('submit', (event) => {
  event.preventDefault();
  const api = new URLSearchParams(location.search).get('api') ?? '';
  const field = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value;
  accountFlow(api, field('email'), field('password')).then(
    (steps) => (result.textContent = JSON.stringify(steps)),
    (error: unknown) => (result.textContent = JSON.stringify({ error: String(error) })),
  );
});
