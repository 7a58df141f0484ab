// src/session.ts: tokens in memory, one refresh at a time, a request retried once after 401 TOKEN_EXPIRED.
import { createClient } from '@authgate/client';

// Your deployment; your app's origin (e.g. http://localhost:5173) must be in its CORS_ORIGINS.
const AUTHGATE_URL = 'http://localhost:3000';

// In memory only: localStorage is readable by any script injected into the page. A reload means logging in again.
let accessToken: string | undefined;
let refreshToken: string | undefined;
let refreshing: Promise<boolean> | undefined;

const bare = createClient(AUTHGATE_URL);

async function refresh(): Promise<boolean> {
  const response = refreshToken ? await bare.api.v1.auth.refresh.$post({ json: { refreshToken } }) : undefined;
  if (response?.status !== 200) {
    // Expired, logged out, or TOKEN_REUSE_DETECTED (the whole session was revoked): log in again.
    accessToken = refreshToken = undefined;
    return false;
  }
  ({ accessToken, refreshToken } = (await response.json()).data);
  return true;
}

const refreshingFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  if (response.status !== 401) return response;
  const body = (await response.clone().json()) as { error?: { code?: string } };
  if (body.error?.code !== 'TOKEN_EXPIRED') return response;
  // Concurrent requests share one refresh: a refresh token works once.
  refreshing ??= refresh().finally(() => (refreshing = undefined));
  if (!(await refreshing)) return response;
  const headers = new Headers(init?.headers);
  headers.set('authorization', `Bearer ${accessToken}`);
  return fetch(input, { ...init, headers });
};

export const auth = createClient(AUTHGATE_URL, { accessToken: () => accessToken, fetch: refreshingFetch });

export async function logIn(email: string, password: string): Promise<'signed-in' | 'mfa-required'> {
  const response = await auth.api.v1.auth.login.$post({ json: { email, password } });
  if (!response.ok) throw new Error(`login failed: ${response.status}`);
  const { data } = await response.json();
  if (data.mfaRequired) return 'mfa-required';
  ({ accessToken, refreshToken } = data);
  return 'signed-in';
}

export async function logOut(): Promise<void> {
  await auth.api.v1.auth.logout.$post();
  accessToken = refreshToken = undefined;
}
