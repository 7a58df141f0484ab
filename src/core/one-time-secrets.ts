import { z } from 'zod';
import { randomToken, sha256Hex } from './crypto';
import type { CoreDeps } from './deps';
import { StoreUnavailableError } from './errors';

// One kind of one-time secret (DESIGN.md "Seams"): passkey challenges here; the MFA token, the OAuth state and the
// exchange code are the same thing. The client gets an opaque 256-bit token; the key-value store keeps what it stands
// for under the token's SHA-256, so a store dump yields no usable token. Each kind is bound to its purpose (in the
// key and in the value), lives `ttlSeconds` on the injected clock, and is handed out once.

export interface OneTimeSecretKind<T> {
  purpose: string;
  ttlSeconds: number;
  /** Narrows what is read back from the store: a value is `unknown` until this schema accepts it. */
  payload: z.ZodType<T>;
}

/** Every key this module writes, named in one place (like denyKeys). */
export const oneTimeSecretKeys = {
  value: (purpose: string, tokenHash: string) => `ots:${purpose}:${tokenHash}`,
};

// What randomToken makes: 32 bytes, base64url.
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

const Stored = z.object({ purpose: z.string(), expiresAtMs: z.number(), payload: z.unknown() });

async function kvCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new StoreUnavailableError('key-value', error);
  }
}

export async function issueOneTimeSecret<T>(
  deps: Pick<CoreDeps, 'kv' | 'clock' | 'random'>,
  kind: OneTimeSecretKind<T>,
  payload: T,
): Promise<{ token: string; expiresIn: number }> {
  const token = randomToken(deps.random);
  const key = oneTimeSecretKeys.value(kind.purpose, await sha256Hex(token));
  const value = JSON.stringify({ purpose: kind.purpose, expiresAtMs: deps.clock.nowMs() + kind.ttlSeconds * 1000, payload });
  await kvCall(() => deps.kv.set(key, value, kind.ttlSeconds));
  return { token, expiresIn: kind.ttlSeconds };
}

/**
 * Spends the token and returns its payload, once, to one caller however many race (`take` reads and deletes in one
 * step). Null when the token is unknown, spent, malformed, of another purpose, or expired — expiry on the injected
 * clock, since the store's own TTL (real time on Redis) only collects garbage.
 */
export async function consumeOneTimeSecret<T>(deps: Pick<CoreDeps, 'kv' | 'clock'>, kind: OneTimeSecretKind<T>, token: string): Promise<T | null> {
  // Not shaped like one of ours (an access token, say): nothing to look up.
  if (!TOKEN_SHAPE.test(token)) return null;
  const key = oneTimeSecretKeys.value(kind.purpose, await sha256Hex(token));
  return narrow(deps, kind, await kvCall(() => deps.kv.take(key)));
}

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
