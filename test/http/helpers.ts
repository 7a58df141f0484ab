import { expect, vi } from 'vitest';
import type { Harness, RequestOptions } from '../support/harness';

let emailCounter = 0;
export function uniqueEmail(prefix = 'user'): string {
  emailCounter += 1;
  return `${prefix}.${Date.now().toString(36)}.${emailCounter}.${Math.random().toString(36).slice(2, 8)}@example.com`;
}

export const STRONG_PASSWORD = 'violet-harbour-lantern-42';

export async function json(response: Response): Promise<any> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`expected JSON, got ${response.status}: ${text.slice(0, 200)}`);
  }
}

export async function registerUser(h: Harness, options: { email?: string; password?: string; name?: string; ip?: string } = {}) {
  const email = options.email ?? uniqueEmail();
  const password = options.password ?? STRONG_PASSWORD;
  const response = await h.request('/api/v1/auth/register', {
    method: 'POST',
    json: { email, password, ...(options.name ? { name: options.name } : {}) },
    ...(options.ip ? { ip: options.ip } : {}),
  });
  const body = await json(response);
  expect(response.status, JSON.stringify(body)).toBe(201);
  return { email, password, ...(body.data as { user: any; accessToken: string; refreshToken: string }) };
}

export async function login(h: Harness, email: string, password: string, extra: RequestOptions = {}) {
  return h.request('/api/v1/auth/login', { method: 'POST', json: { email, password }, ...extra });
}

/** The error envelope of API.md, checked whole. */
export async function expectError(response: Response, status: number, code: string) {
  const body = await json(response);
  expect(response.status, JSON.stringify(body)).toBe(status);
  expect(body.success).toBe(false);
  expect(body.error.code).toBe(code);
  expect(body.error.statusCode).toBe(status);
  expect(body.error.requestId).toBe(response.headers.get('x-request-id'));
  expect(JSON.stringify(body)).not.toMatch(/at [\w.]+ \(|node_modules|SELECT |INSERT /);
  return body;
}

/** Waits for the mail the service sends after answering (delivery is deferred past the response). */
export async function waitForMail(h: Harness, to: string, subject: RegExp, count = 1) {
  return vi.waitFor(
    async () => {
      const mails = (await h.mailbox(to)).filter((m) => subject.test(m.subject));
      if (mails.length < count) throw new Error(`waiting for ${count} mail(s) "${subject}" to ${to}, have ${mails.length}`);
      return mails;
    },
    { timeout: 5000, interval: 25 },
  );
}

/** The link token from a mail's text (links carry it in the fragment: `#verify-email=<token>`). */
export function linkToken(mail: { text: string }, purpose: 'verify-email' | 'reset-password'): string {
  const match = new RegExp(`#${purpose}=([A-Za-z0-9_-]+)`).exec(mail.text);
  if (!match) throw new Error(`no ${purpose} link in mail: ${mail.text}`);
  return match[1]!;
}

export async function auditActions(h: Harness, userId: string): Promise<string[]> {
  return (await h.deps.db.audit.listForUser(userId, 100)).map((entry) => entry.action);
}
