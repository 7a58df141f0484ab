import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createEmbeddedStore } from '../../src/adapters/kv/embedded';
import { sha256Hex, webRandom } from '../../src/core/crypto';
import { consumeOneTimeSecret, issueOneTimeSecret, oneTimeSecretKeys, type OneTimeSecretKind } from '../../src/core/one-time-secrets';
import { createTestClock } from '../support/clock';

const GREETING: OneTimeSecretKind<{ userId: string }> = { purpose: 'greeting', ttlSeconds: 60, maxAttempts: 3, payload: z.object({ userId: z.string() }) };
const OTHER: OneTimeSecretKind<{ userId: string }> = { ...GREETING, purpose: 'other' };

const stores: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

async function setup() {
  const clock = createTestClock();
  const kv = await createEmbeddedStore({ clock });
  stores.push(kv);
  return { kv, clock, random: webRandom };
}

describe('one-time secrets', () => {
  it('hand out their payload once, for their own purpose only', async () => {
    const deps = await setup();
    const { token, expiresIn } = await issueOneTimeSecret(deps, GREETING, { userId: 'u1' });
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(expiresIn).toBe(60);
    expect(await consumeOneTimeSecret(deps, OTHER, token)).toBeNull();
    expect(await consumeOneTimeSecret(deps, GREETING, token)).toEqual({ userId: 'u1' });
    expect(await consumeOneTimeSecret(deps, GREETING, token)).toBeNull();
  });

  it('expire on the injected clock, whatever the store keeps', async () => {
    const deps = await setup();
    const young = await issueOneTimeSecret(deps, GREETING, { userId: 'u1' });
    const old = await issueOneTimeSecret(deps, GREETING, { userId: 'u2' });
    deps.clock.advance(59);
    expect(await consumeOneTimeSecret(deps, GREETING, young.token)).toEqual({ userId: 'u1' });
    deps.clock.advance(1);
    expect(await consumeOneTimeSecret(deps, GREETING, old.token)).toBeNull();
  });

  it('are stored under the SHA-256 of the token, never the token itself, and refuse a value of the wrong shape', async () => {
    const deps = await setup();
    const { token } = await issueOneTimeSecret(deps, GREETING, { userId: 'u1' });
    expect(await deps.kv.get(oneTimeSecretKeys.value(GREETING.purpose, token))).toBeNull();
    const key = oneTimeSecretKeys.value(GREETING.purpose, await sha256Hex(token));
    const stored = JSON.parse((await deps.kv.get(key))!);
    await deps.kv.set(key, JSON.stringify({ ...stored, payload: { userId: 42 } }), 60);
    expect(await consumeOneTimeSecret(deps, GREETING, token)).toBeNull();
    expect(await consumeOneTimeSecret(deps, GREETING, 'not-a-token')).toBeNull();
  });
});
