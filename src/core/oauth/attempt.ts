import { base64url } from 'jose';
import { z } from 'zod';
import type { OneTimeSecretKind } from '../one-time-secrets';
import type { OAuthAttempt } from '../ports';

// One sign-in attempt lives in two places (RFC 9700 §4.7.1, §2.1.1): the browser's cookie holds the state, the PKCE
// verifier, the nonce and where to return, so the attempt is bound to the browser that started it (a code or state
// lifted from a URL is useless elsewhere); the key-value store holds the state as a one-time secret bound to the
// provider, so a state works once, at that provider, within ten minutes, even if a cookie is replayed.

export const OAUTH_STATE: OneTimeSecretKind<{ provider: string }> = {
  purpose: 'oauth-state',
  ttlSeconds: 600,
  maxAttempts: 1,
  payload: z.object({ provider: z.string() }),
};

export interface BrowserAttempt extends OAuthAttempt {
  provider: string;
  /** The checked return URL (OAUTH_REDIRECT_URL or an allow-listed one). */
  redirectTo: string;
}

const Stored = z.object({
  provider: z.string().max(64),
  state: z.string().max(128),
  codeVerifier: z.string().max(128),
  nonce: z.string().max(128),
  redirectTo: z.string().max(2048),
});

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The cookie value: base64url JSON, nothing a cookie parser could misread. */
export function encodeAttempt(attempt: BrowserAttempt): string {
  return base64url.encode(encoder.encode(JSON.stringify(attempt)));
}

/** The cookie's attempt, or null when it is missing or not one of ours: a cookie is client input like any other. */
export function decodeAttempt(raw: string | undefined): BrowserAttempt | null {
  if (!raw || raw.length > 4096) return null;
  try {
    const parsed = Stored.safeParse(JSON.parse(decoder.decode(base64url.decode(raw))));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
