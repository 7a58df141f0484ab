import { createHarness } from '#harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/core/crypto';
import type { Harness } from '../support/harness';
import { STRONG_PASSWORD, json, linkToken, login, registerUser, waitForMail } from './helpers';

// SECURITY.md: refresh tokens and one-time link tokens are stored only as SHA-256; passwords only as Argon2id.
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

const rowsText = async (table: string, userId: string) => {
  const column = table === 'refresh_tokens' ? 'session_id in (select id from sessions where user_id = $1)' : 'user_id = $1';
  return JSON.stringify(await h.query(`select * from ${table} where ${column}`, [userId]));
};

describe('secrets at rest', () => {
  it('stores refresh tokens only as their SHA-256', async () => {
    const { email, refreshToken, user } = await registerUser(h);
    const second = (await json(await login(h, email, STRONG_PASSWORD))).data.refreshToken as string;
    const stored = await h.query('select token_hash from refresh_tokens rt join sessions s on s.id = rt.session_id where s.user_id = $1', [user.id]);
    expect(stored.map((r) => r.token_hash).sort()).toEqual([await sha256Hex(refreshToken), await sha256Hex(second)].sort());
    const text = await rowsText('refresh_tokens', user.id);
    expect(text).not.toContain(refreshToken);
    expect(text).not.toContain(second);
  });

  it('stores e-mail verification and reset tokens only as their SHA-256, each at least 128 bits', async () => {
    const { email, user } = await registerUser(h);
    const verify = linkToken((await waitForMail(h, email, /confirm/i))[0]!, 'verify-email');
    expect((await h.request('/api/v1/auth/forgot-password', { method: 'POST', json: { email } })).status).toBe(200);
    const reset = linkToken((await waitForMail(h, email, /reset/i))[0]!, 'reset-password');
    for (const token of [verify, reset]) expect(Buffer.from(token, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
    const stored = await h.query('select purpose, token_hash from one_time_tokens where user_id = $1 order by purpose', [user.id]);
    expect(stored).toEqual([
      { purpose: 'reset_password', token_hash: await sha256Hex(reset) },
      { purpose: 'verify_email', token_hash: await sha256Hex(verify) },
    ]);
    const text = await rowsText('one_time_tokens', user.id);
    expect(text).not.toContain(verify);
    expect(text).not.toContain(reset);
  });

  it('stores the password only as an Argon2id PHC string', async () => {
    const { user, password } = await registerUser(h);
    const [row] = await h.query('select * from users where id = $1', [user.id]);
    expect(row!.password_hash).toMatch(/^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    expect(JSON.stringify(row)).not.toContain(password);
  });
});
