import { z } from 'zod';
import { randomToken, sha256Hex } from './crypto';
import type { CoreDeps } from './deps';
import { StoreUnavailableError } from './errors';

// One kind of one-time secret (DESIGN.md "Seams"): the MFA login challenge now, OAuth state and exchange codes and
// passkey challenges later. An opaque 256-bit token goes to the client; the key-value store holds what it stands
// for under the token's SHA-256, so a store dump yields no usable token. Each kind is bound to its purpose (in the
// key and in the value), lives `ttlSeconds` on the injected clock, is handed out once, and gets `maxAttempts` tries.

export interface OneTimeSecretKind<T> {
  purpose: string;
  ttlSeconds: number;
  /** How many times the secret may be presented (each presentation counts, the successful one included). */
  maxAttempts: number;
  /** Narrows what is read back from the store: a value is `unknown` until this schema accepts it. */
  payload: z.ZodType<T>;
}

/** Every key this module writes, named in one place (like denyKeys). */
export const oneTimeSecretKeys = {
  value: (purpose: string, tokenHash: string) => `ots:${purpose}:${tokenHash}`,
  attempts: (purpose: string, tokenHash: string) => `ots:${purpose}:${tokenHash}:attempts`,
};

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

const Stored = z.object({ purpose: z.string(), expiresAtMs: z.number(), payload: z.unknown() });

async function kvCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new StoreUnavailableError('key-value', error);
  }
}

/** The store's keys of a presented token, or null when it is not shaped like one of ours (an access token, say). */
async function keysOf(kind: OneTimeSecretKind<unknown>, token: string) {
  if (!TOKEN_SHAPE.test(token)) return null;
  const tokenHash = await sha256Hex(token);
  return { value: oneTimeSecretKeys.value(kind.purpose, tokenHash), attempts: oneTimeSecretKeys.attempts(kind.purpose, tokenHash) };
}

/**
 * The payload of a stored value, or null when it is malformed, of another purpose, or expired. Expiry is checked on
 * the injected clock: the store's own TTL (real time on Redis) only collects garbage.
 */
function narrow<T>(deps: Pick<CoreDeps, 'clock'>, kind: OneTimeSecretKind<T>, raw: string | null): T | null {
  if (raw === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return null;
  }
  const stored = Stored.safeParse(parsed);
  if (!stored.success || stored.data.purpose !== kind.purpose || deps.clock.nowMs() >= stored.data.expiresAtMs) return null;
  const payload = kind.payload.safeParse(stored.data.payload);
  return payload.success ? payload.data : null;
}

export async function issueOneTimeSecret<T>(
  deps: Pick<CoreDeps, 'kv' | 'clock' | 'random'>,
  kind: OneTimeSecretKind<T>,
  payload: T,
): Promise<{ token: string; expiresIn: number }> {
  const token = randomToken(deps.random);
  const keys = (await keysOf(kind, token))!;
  const value = JSON.stringify({ purpose: kind.purpose, expiresAtMs: deps.clock.nowMs() + kind.ttlSeconds * 1000, payload });
  await kvCall(() => deps.kv.set(keys.value, value, kind.ttlSeconds));
  return { token, expiresIn: kind.ttlSeconds };
}

/**
 * Counts one presentation of the token and returns its payload without spending it, or null when it is unknown,
 * spent, expired, or out of attempts. The count is atomic and comes before the caller checks anything, so however
 * many presentations race, at most `maxAttempts` of them ever get the payload.
 */
export async function attemptOneTimeSecret<T>(deps: Pick<CoreDeps, 'kv' | 'clock'>, kind: OneTimeSecretKind<T>, token: string): Promise<T | null> {
  const keys = await keysOf(kind, token);
  if (!keys) return null;
  // Read first, so a stream of made-up tokens creates no counters; the count still comes before any use.
  const payload = narrow(deps, kind, await kvCall(() => deps.kv.get(keys.value)));
  if (payload === null) return null;
  const attempts = await kvCall(() => deps.kv.increment(keys.attempts, kind.ttlSeconds));
  // The counter alone refuses every presentation past the limit (it outlives the value). The value is not deleted
  // here: a presentation within the limit may be about to succeed, and must still be able to spend it.
  return attempts > kind.maxAttempts ? null : payload;
}

/** Spends the token: its payload is handed out once, to one caller, however many race. */
export async function consumeOneTimeSecret<T>(deps: Pick<CoreDeps, 'kv' | 'clock'>, kind: OneTimeSecretKind<T>, token: string): Promise<T | null> {
  const keys = await keysOf(kind, token);
  if (!keys) return null;
  return narrow(deps, kind, await kvCall(() => deps.kv.take(keys.value)));
}
