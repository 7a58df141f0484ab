import { expect } from 'vitest';
import type { Harness } from '../support/harness';
import { secretOfUri, totp } from '../support/totp';
import { json, login, registerUser } from './helpers';

// MFA steps as a client takes them. Codes come from the tests' own RFC 6238 generator (test/support/totp.ts), never
// from the service's library. Time only moves through the harness clock.

export interface MfaUser {
  email: string;
  password: string;
  userId: string;
  accessToken: string;
  secret: Uint8Array;
  backupCodes: string[];
}

export const post = (h: Harness, path: string, body: unknown, extra: { token?: string; ip?: string } = {}) =>
  h.request(`/api/v1${path}`, { method: 'POST', json: body, ...extra });

/** The code of the current step (or `offset` steps away) on the harness clock. */
export const codeNow = (h: Harness, secret: Uint8Array, offset = 0) => totp(secret, h.clock.nowMs(), { offset });

/** Moves the clock into the next 30-second step and returns its code: a code no earlier use has spent. */
export function nextCode(h: Harness, secret: Uint8Array): Promise<string> {
  h.clock.advance(30);
  return codeNow(h, secret);
}

/** /mfa/enable for a signed-in user: the enrolment as answered, with the secret read from the otpauth URI. */
export async function enable(h: Harness, accessToken: string) {
  const response = await post(h, '/mfa/enable', {}, { token: accessToken });
  const body = await json(response);
  expect(response.status, JSON.stringify(body)).toBe(200);
  return { ...(body.data as { secret: string; otpauthUrl: string; qrCodeSvg: string; backupCodes: string[] }), secretBytes: secretOfUri(body.data.otpauthUrl) };
}

/** A new user with MFA on (enrolled and confirmed with a code of the current step). */
export async function mfaUser(h: Harness): Promise<MfaUser> {
  const { email, password, accessToken, user } = await registerUser(h);
  const enrolment = await enable(h, accessToken);
  const verified = await post(h, '/mfa/verify', { code: await codeNow(h, enrolment.secretBytes) }, { token: accessToken });
  expect(verified.status, await verified.clone().text()).toBe(200);
  return { email, password, userId: user.id, accessToken, secret: enrolment.secretBytes, backupCodes: enrolment.backupCodes };
}

/** The password step of an MFA user: the mfaToken. */
export async function passwordStep(h: Harness, user: { email: string; password: string }): Promise<string> {
  const body = await json(await login(h, user.email, user.password));
  expect(body.data?.mfaRequired, JSON.stringify(body)).toBe(true);
  return body.data.mfaToken as string;
}

/** Both steps with a TOTP code of a fresh step; the 200 answer's data. */
export async function mfaLogin(h: Harness, user: MfaUser) {
  const mfaToken = await passwordStep(h, user);
  const response = await post(h, '/mfa/verify-login', { mfaToken, code: await nextCode(h, user.secret) });
  const body = await json(response);
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body.data as { user: { id: string; mfaEnabled: boolean }; accessToken: string; refreshToken: string };
}

/** Live sessions of a user, counted in the database. */
export async function liveSessions(h: Harness, userId: string): Promise<number> {
  const [row] = await h.query('select count(*)::int as n from sessions where user_id = $1 and revoked_at is null', [userId]);
  return Number(row!.n);
}

/** The claims of a JWT (no verification: the service already did that; tests only read `amr`). */
export function claimsOf(jwt: string): Record<string, unknown> {
  const payload = jwt.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/');
  return JSON.parse(atob(payload + '='.repeat((4 - (payload.length % 4)) % 4)));
}
