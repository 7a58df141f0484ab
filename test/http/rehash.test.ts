import { createHarness } from '#harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePhc } from '../../src/adapters/password/phc';
import type { Harness } from '../support/harness';
import { registerUser } from './helpers';

// DESIGN.md: a hash made with other parameters (an older system's) still verifies, and is re-hashed with the
// configured parameters on the next successful login.
let older: Harness;
let current: Harness;
beforeAll(async () => {
  // Two harnesses sharing nothing but the hasher parameters they are configured with.
  [older, current] = await Promise.all([
    createHarness({ ARGON2_MEMORY_KIB: '8192', ARGON2_ITERATIONS: '2', ARGON2_PARALLELISM: '2' }),
    createHarness(),
  ]);
});
afterAll(async () => {
  await Promise.all([older?.close(), current?.close()]);
});

/** Puts a hash made elsewhere in place, as if the account came from an older system. */
async function storeLegacyHash(userId: string, legacyHash: string) {
  const stored = (await current.deps.db.users.findById(userId))!.passwordHash!;
  expect(await current.deps.db.users.rehashPassword(userId, stored, legacyHash, new Date(current.clock.nowMs()))).toBe(true);
}

describe('password re-hash on login', () => {
  it('verifies a hash made with older parameters and stores a current one after the login', async () => {
    const { email, password, user } = await registerUser(current);
    const legacyHash = await older.deps.passwords.hash(password);
    await storeLegacyHash(user.id, legacyHash);

    const response = await current.request('/api/v1/auth/login', { method: 'POST', json: { email, password } });
    expect(response.status).toBe(200);
    const stored = (await current.deps.db.users.findById(user.id))!.passwordHash!;
    expect(stored).not.toBe(legacyHash);
    expect(parsePhc(stored, { memoryKib: 65536, iterations: 16, parallelism: 16 })!.params).toEqual(current.deps.config.argon2);
    expect(current.deps.passwords.needsRehash(stored)).toBe(false);
  });

  it('keeps the hash when the password is wrong', async () => {
    const { email, password, user } = await registerUser(current);
    const legacyHash = await older.deps.passwords.hash(password);
    await storeLegacyHash(user.id, legacyHash);
    expect((await current.request('/api/v1/auth/login', { method: 'POST', json: { email, password: 'not-the-password-at-all' } })).status).toBe(401);
    expect((await current.deps.db.users.findById(user.id))!.passwordHash).toBe(legacyHash);
  });
});
