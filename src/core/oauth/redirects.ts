import type { Config } from '../../config';

// Where a sign-in may send the browser back to with its one-time code. RFC 9700 §4.1.3 (and §2.1 for redirect URIs):
// exact matching, no patterns or prefixes, because every partial match has been bypassed somewhere. Values are
// compared as WHATWG-parsed absolute URLs: `//evil`, `/\evil` and `evil.com` are not absolute URLs at all,
// `https://app.example.com.evil.com`, `https://app.example.com@evil.com` and `https:\\evil.com` parse to other
// hosts, `javascript:` and `data:` to other schemes. What is returned is always the configured string.

function parsedHref(value: string): string | null {
  if (!URL.canParse(value)) return null;
  const url = new URL(value);
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password || value.includes('#')) return null;
  return url.href;
}

/** OAUTH_REDIRECT_URL when nothing is asked for, the allow-listed URL `requested` names, or null (refused). */
export function redirectTarget(oauth: Config['oauth'], requested: string | undefined): string | null {
  if (requested === undefined) return oauth.redirectUrl;
  const href = parsedHref(requested);
  if (href === null) return null;
  return [oauth.redirectUrl, ...oauth.allowedRedirects].find((allowed) => parsedHref(allowed) === href) ?? null;
}

/** `target` with one query parameter set (the code, or the error): the app's own query parameters stay. */
export function withParameter(target: string, name: 'code' | 'error', value: string): string {
  const url = new URL(target);
  url.searchParams.delete('code');
  url.searchParams.delete('error');
  url.searchParams.set(name, value);
  return url.href;
}
