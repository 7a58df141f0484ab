import fc from 'fast-check';
import { exportPKCS8, generateKeyPair } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { signAccessToken, verifyAccessToken, type AccessTokenSettings } from '../../src/core/access-token';
import { AppError } from '../../src/core/errors';
import { loadSigningKeys, type SigningKeys } from '../../src/core/keys';
import { applyMutations, jwtMutations } from '../support/jwt-mutations';

// Issue 14 / SECURITY.md "Tokens": random mutations of a genuine access token — bits flipped in the decoded header,
// payload or signature, truncation, extra or missing dots, re-encoding, alg swaps, alg none — are always refused
// with AppError AUTHENTICATION_ERROR (never accepted, never another error, which the HTTP layer would make a 500).

const settings: AccessTokenSettings = { issuer: 'https://auth.example.test', audience: 'authgate-test', ttlSeconds: 900 };
const NOW_MS = 1_750_000_000_000;

let keys: SigningKeys;
let genuine: string;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  keys = await loadSigningKeys(await exportPKCS8(pair.privateKey));
  genuine = await signAccessToken(keys, settings, { sub: 'user-1', sid: 'session-1', jti: 'jti-1', role: 'USER', email: 'ada@example.com', amr: ['pwd'] }, NOW_MS);
});

async function outcome(token: string): Promise<string> {
  try {
    await verifyAccessToken(keys, settings, token, NOW_MS);
    return 'accepted';
  } catch (error) {
    return error instanceof AppError ? error.code : `threw ${String(error)}`;
  }
}

describe('random mutations of a genuine access token', () => {
  it('leaves the genuine token valid (the control)', async () => {
    expect(await outcome(genuine)).toBe('accepted');
  });

  it('are always refused with AUTHENTICATION_ERROR, alone or two at a time', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(jwtMutations, { minLength: 1, maxLength: 2 }), async (chosen) => {
        const token = applyMutations(genuine, chosen);
        if (token === genuine) return; // two mutations that cancel out (the same bit flipped twice)
        expect(await outcome(token), chosen.map((m) => m.name).join(' then ')).toBe('AUTHENTICATION_ERROR');
      }),
      { seed: 14_2026, numRuns: 300 },
    );
  });
});
