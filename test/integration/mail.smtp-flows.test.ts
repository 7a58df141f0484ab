// The account e-mail flows end to end through the SMTP transport: the app's mail leaves over real SMTP to a local
// server, and the links in what arrived verify the address and reset the password.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEmbeddedStore } from '../../src/adapters/kv/embedded';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createNodeDeps } from '../../src/runtime/node-deps';
import { createTestClock } from '../support/clock';
import { clonePgliteDatabase } from '../support/pglite-snapshot';
import { startSmtpSink, type SmtpSink } from './mail.smtp-sink';

let sink: SmtpSink;
let app: ReturnType<typeof createApp>;
let close: () => Promise<void>;

beforeAll(async () => {
  sink = await startSmtpSink({ users: { mailer: 'smtp-secret' } });
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      APP_URL: 'https://auth.example.com',
      LOG_LEVEL: 'silent',
      ARGON2_MEMORY_KIB: '4096',
      ARGON2_ITERATIONS: '1',
      MAIL_TRANSPORT: 'smtp',
      SMTP_URL: `smtp://mailer:smtp-secret@127.0.0.1:${sink.port}`,
      MAIL_FROM: 'authgate <no-reply@example.com>',
    },
    'node',
  );
  const clock = createTestClock();
  const [db, kv] = await Promise.all([clonePgliteDatabase(), createEmbeddedStore({ clock })]);
  const deps = await createNodeDeps(config, { db, kv, clock });
  app = createApp(deps);
  close = async () => {
    await Promise.allSettled([db.close(), kv.close(), deps.mailer.close?.()]);
  };
});
afterAll(async () => {
  await close?.();
  await sink?.close();
});

const post = (path: string, body?: unknown) =>
  app.request(path, { method: 'POST', ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });

async function mailTo(to: string, subject: RegExp) {
  return vi.waitFor(
    () => {
      const found = sink.messages.find((m) => m.to.includes(to) && subject.test(m.subject ?? ''));
      if (!found) throw new Error(`no "${subject}" mail to ${to} yet`);
      return found;
    },
    { timeout: 10_000, interval: 50 },
  );
}

const tokenIn = (text: string | undefined, purpose: string) => new RegExp(`https://auth\\.example\\.com/demo#${purpose}=([A-Za-z0-9_-]+)`).exec(text ?? '')?.[1];

describe('account mail over SMTP', () => {
  it('verifies an address and resets a password with the links that arrived by SMTP', async () => {
    const email = `smtp.flow.${Date.now()}@example.com`;
    const password = 'violet-harbour-lantern-42';
    expect((await post('/api/v1/auth/register', { email, password })).status).toBe(201);

    const verification = await mailTo(email, /confirm/i);
    expect(verification).toMatchObject({ authUser: 'mailer', from: { address: 'no-reply@example.com' } });
    const verifyToken = tokenIn(verification.text, 'verify-email');
    expect(verifyToken).toBeDefined();
    expect((await post(`/api/v1/auth/verify-email/${verifyToken}`)).status).toBe(200);

    expect((await post('/api/v1/auth/forgot-password', { email })).status).toBe(200);
    const reset = await mailTo(email, /reset/i);
    const resetToken = tokenIn(reset.text, 'reset-password');
    const newPassword = 'amber-meadow-compass-77';
    expect((await post(`/api/v1/auth/reset-password/${resetToken}`, { password: newPassword })).status).toBe(200);
    expect((await post('/api/v1/auth/login', { email, password: newPassword })).status).toBe(200);
    expect((await post('/api/v1/auth/login', { email, password })).status).toBe(401);
    await mailTo(email, /password was changed/i);
  });
});
