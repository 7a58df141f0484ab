import { expect } from 'vitest';
import type { Role } from '../../src/core/ports';
import { startSession } from '../../src/core/tokens';
import type { Harness } from '../support/harness';
import { STRONG_PASSWORD, json, login, registerUser, uniqueEmail } from './helpers';

// The admin API as its clients use it, and the accounts its tests need.

export const ADMIN_EMAIL = 'root.admin@example.com';
export const ADMIN_PASSWORD = 'granite-orchard-telescope-19';
/** Settings of a harness whose first SUPER_ADMIN comes from ADMIN_EMAIL / ADMIN_PASSWORD (ADMIN_MFA_REQUIRED on by default). */
export const ADMIN_ENV = { ADMIN_EMAIL, ADMIN_PASSWORD };

export interface Tokens {
  accessToken: string;
  refreshToken: string;
}

/**
 * A session of `email` that passed a second factor, made through core startSession with amr ["pwd","otp"]. TOTP MFA
 * is not on this branch yet (it lands with /api/v1/mfa/*), so this stands in for enable → verify → login →
 * verify-login until then; everything after the session is created is the real API.
 */
export async function adminSessionWithSecondFactor(h: Harness, email: string): Promise<Tokens> {
  // The first request runs the ADMIN_EMAIL bootstrap on Workers; on Node it ran before listening.
  await h.request('/health');
  const user = await h.deps.db.users.findByEmail(email);
  if (!user) throw new Error(`no user ${email}`);
  const tokens = await startSession(h.deps, user, ['pwd', 'otp'], { ipAddress: '203.0.113.1', userAgent: 'admin-test' }, { recordSignIn: true });
  if (!tokens) throw new Error(`no session for ${email}`);
  return tokens;
}

/** A password-only login (amr ["pwd"]): no second factor. */
export async function passwordSession(h: Harness, email: string, password: string): Promise<Tokens> {
  const response = await login(h, email, password);
  const body = await json(response);
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body.data as Tokens;
}

/**
 * A registered account given `role` by the repository directly (as an operator's CLI would), with a second-factor
 * session for acting as it.
 */
export async function accountWithRole(h: Harness, role: Role) {
  const registered = await registerUser(h, { email: uniqueEmail(role.toLowerCase()) });
  if (role !== 'USER') {
    const changed = await h.deps.db.admin.changeRole(registered.user.id, role, new Date(h.clock.nowMs()));
    expect(changed.kind).toBe('changed');
  }
  const session = await adminSessionWithSecondFactor(h, registered.email);
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
