import { expect } from 'vitest';
import type { Harness, RequestOptions } from '../support/harness';
import { createSoftwareAuthenticator, type CeremonyTweaks, type SoftwareAuthenticator } from '../support/software-authenticator';
import { json } from './helpers';

/** The origin the harness' app believes it is served from (APP_URL), and so the only one WebAuthn accepts. */
export const ORIGIN = 'http://authgate.test';

export function newAuthenticator(settings: Partial<Parameters<typeof createSoftwareAuthenticator>[0]> = {}): SoftwareAuthenticator {
  return createSoftwareAuthenticator({ origin: ORIGIN, ...settings });
}

export async function registrationOptions(h: Harness, token: string) {
  const response = await h.request('/api/v1/passkeys/register/options', { method: 'POST', token });
  const body = await json(response);
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body.data as { challengeId: string; options: any };
}

export async function loginOptions(h: Harness) {
  const response = await h.request('/api/v1/auth/passkey/options', { method: 'POST', json: {} });
  const body = await json(response);
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body.data as { challengeId: string; options: any };
}

/** The whole registration ceremony; `tweaks` bend what the authenticator answers. */
export async function addPasskey(h: Harness, token: string, authenticator: SoftwareAuthenticator, tweaks: CeremonyTweaks = {}, name?: string) {
  const { challengeId, options } = await registrationOptions(h, token);
  const response = await authenticator.register(options, tweaks);
  return h.request('/api/v1/passkeys/register/verify', { method: 'POST', token, json: { challengeId, response, ...(name ? { name } : {}) } });
}

/** Adds a passkey that must be accepted; returns the API's Passkey. */
export async function addedPasskey(h: Harness, token: string, authenticator: SoftwareAuthenticator, name?: string) {
  const response = await addPasskey(h, token, authenticator, {}, name);
  const body = await json(response);
  expect(response.status, JSON.stringify(body)).toBe(201);
  return body.data.passkey as { id: string; name: string; createdAt: string; lastUsedAt: string | null; backedUp: boolean; transports: string[] };
}

/** The whole discoverable login ceremony. */
export async function passkeyLogin(h: Harness, authenticator: SoftwareAuthenticator, tweaks: CeremonyTweaks = {}, extra: RequestOptions = {}) {
  const { challengeId, options } = await loginOptions(h);
  const response = await authenticator.authenticate(options, tweaks);
  return h.request('/api/v1/auth/passkey/verify', { method: 'POST', json: { challengeId, response }, ...extra });
}

export async function sessionCount(h: Harness, userId: string): Promise<number> {
  const [row] = await h.query('select count(*)::int as n from sessions where user_id = $1', [userId]);
  return Number(row?.n);
}

export async function passkeyCount(h: Harness, userId: string): Promise<number> {
  const [row] = await h.query('select count(*)::int as n from passkeys where user_id = $1', [userId]);
  return Number(row?.n);
}

/** The `reason` of the newest LOGIN_FAILURE of a user: which check refused the login. */
export async function lastFailureReason(h: Harness, userId: string | null): Promise<unknown> {
  if (userId === null) return undefined;
  const entries = await h.deps.db.audit.listForUser(userId, 50);
  return entries.find((e) => e.action === 'LOGIN_FAILURE')?.metadata.reason;
}
