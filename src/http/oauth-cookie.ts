import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Config } from '../config';
import { isLoopbackHost } from '../config-oauth';
import { oauthCallbackPath } from '../core/oauth/providers';
import type { AppEnv } from './env';

// The browser's half of a sign-in attempt (core/oauth/attempt.ts). HttpOnly: no script reads the verifier or nonce.
// Path = the provider's callback: the cookie reaches only that provider's callback, never another's. SameSite=Lax,
// not Strict: the provider's redirect back is a cross-site top-level GET, on which browsers drop Strict cookies.
// Secure, except on a plain-http loopback APP_URL outside production (npm start, the browser tests).

const NAME = 'authgate_oauth';

function secure(config: Config): boolean {
  const url = new URL(config.appUrl);
  return config.production || url.protocol !== 'http:' || !isLoopbackHost(url.hostname);
}

function attributes(c: Context<AppEnv>, providerId: string) {
  return { path: oauthCallbackPath(providerId), httpOnly: true, secure: secure(c.get('deps').config), sameSite: 'Lax' as const };
}

export function setAttemptCookie(c: Context<AppEnv>, providerId: string, value: string, maxAgeSeconds: number): void {
  setCookie(c, NAME, value, { ...attributes(c, providerId), maxAge: maxAgeSeconds });
}

/** Reads the attempt and clears it in the same response: one callback per attempt, whatever its outcome. */
export function takeAttemptCookie(c: Context<AppEnv>, providerId: string): string | undefined {
  const value = getCookie(c, NAME);
  deleteCookie(c, NAME, attributes(c, providerId));
  return value;
}
