import { expect } from 'vitest';
import type { Role } from '../../src/core/ports';
import type { Harness } from '../support/harness';
import { STRONG_PASSWORD, json, login, registerUser, uniqueEmail } from './helpers';
import { codeNow, enable, nextCode, passwordStep, post } from './mfa-helpers';

// The admin API as its clients use it, and the accounts its tests need.

export const ADMIN_EMAIL = 'root.admin@example.com';
export const ADMIN_PASSWORD = 'granite-orchard-telescope-19';
/** Settings of a harness whose first SUPER_ADMIN comes from ADMIN_EMAIL / ADMIN_PASSWORD (ADMIN_MFA_REQUIRED on by default). */
export const ADMIN_ENV = { ADMIN_EMAIL, ADMIN_PASSWORD };

export interface Tokens {
  accessToken: string;
  refreshToken: string;
}

const enrolledSecrets = new WeakMap<Harness, Map<string, Uint8Array>>();

/**
 * A session of `email` that passed TOTP MFA, entirely through the API: on first use the account enrols (login →
 * /mfa/enable → /mfa/verify with a code this test computes from the otpauth secret), then every call signs in with
 * the password and /mfa/verify-login with the code of a fresh 30-second step (the harness clock moves 30 s).
 */
export async function adminSessionWithSecondFactor(h: Harness, email: string, password: string): Promise<Tokens> {
  const secrets = enrolledSecrets.get(h) ?? new Map<string, Uint8Array>();
  enrolledSecrets.set(h, secrets);
  let secret = secrets.get(email);
  if (!secret) {
    const first = await passwordSession(h, email, password);
    const enrolment = await enable(h, first.accessToken);
    const verified = await post(h, '/mfa/verify', { code: await codeNow(h, enrolment.secretBytes) }, { token: first.accessToken });
    expect(verified.status, await verified.clone().text()).toBe(200);
    secret = enrolment.secretBytes;
    secrets.set(email, secret);
  }
  const mfaToken = await passwordStep(h, { email, password });
  const response = await post(h, '/mfa/verify-login', { mfaToken, code: await nextCode(h, secret) });
  const body = await json(response);
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body.data as Tokens;
}

/** The SUPER_ADMIN from ADMIN_EMAIL, signed in with its second factor. */
export const rootSession = (h: Harness) => adminSessionWithSecondFactor(h, ADMIN_EMAIL, ADMIN_PASSWORD);

/** A password-only login (amr ["pwd"]): no second factor. */
export async function passwordSession(h: Harness, email: string, password: string): Promise<Tokens> {
  const response = await login(h, email, password);
  const body = await json(response);
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body.data as Tokens;
}

/**
 * A registered account given `role` by the repository directly (as the operator's CLI does), signed in with a
 * second factor (enrolled in TOTP MFA), or with the password alone when `secondFactor` is false.
 */
export async function accountWithRole(h: Harness, role: Role, options: { secondFactor?: boolean } = {}) {
  const registered = await registerUser(h, { email: uniqueEmail(role.toLowerCase()) });
  if (role !== 'USER') {
    const changed = await h.deps.db.admin.changeRole(registered.user.id, role, new Date(h.clock.nowMs()));
    expect(changed.kind).toBe('changed');
  }
  const session =
    options.secondFactor === false ? await passwordSession(h, registered.email, STRONG_PASSWORD) : await adminSessionWithSecondFactor(h, registered.email, STRONG_PASSWORD);
  return { id: registered.user.id as string, email: registered.email, password: STRONG_PASSWORD, ...session };
}

/** Calls under /api/v1/admin with one bearer token. */
export function adminApi(h: Harness, token: string) {
  const call = (method: string, path: string, body?: unknown) =>
    h.request(`/api/v1/admin${path}`, { method, token, ...(body === undefined ? {} : { json: body }) });
  return {
    get: (path: string) => call('GET', path),
    patch: (path: string, body: unknown) => call('PATCH', path, body),
    delete: (path: string) => call('DELETE', path),
    /** GET that must answer 200; its `data`. */
    async data(path: string) {
      const response = await call('GET', path);
      const body = await json(response);
      expect(response.status, `${path}: ${JSON.stringify(body)}`).toBe(200);
      return body.data;
    },
    /** PATCH /users/:id that must answer 200; the user it answers with. */
    async update(userId: string, patch: Record<string, unknown>) {
      const response = await call('PATCH', `/users/${userId}`, patch);
      const body = await json(response);
      expect(response.status, JSON.stringify(body)).toBe(200);
      return body.data.user;
    },
  };
}

/** Audit rows about `userId`, as the database holds them, newest first. */
export async function auditRows(h: Harness, userId: string) {
  return h.deps.db.audit.listForUser(userId, 100);
}
