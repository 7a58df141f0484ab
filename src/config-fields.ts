import { z } from 'zod';

// Setting types whose failures read as sentences about the setting. loadConfig writes an issue whose message starts
// with "must" as `setting NAME must ...`, any other as `setting NAME is invalid: ...`.

/**
 * A whole number in a range. The message shows the value given: numbers are never secrets, and "got \"abc\"" tells a
 * newcomer more than a validator's "expected number, received NaN".
 */
export function wholeNumber(min: number, max?: number) {
  const range = max === undefined ? `of at least ${min}` : `between ${min} and ${max}`;
  return z.string().transform((value, context) => {
    const number = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
    if (Number.isSafeInteger(number) && number >= min && (max === undefined || number <= max)) return number;
    context.addIssue({ code: 'custom', message: `must be a whole number ${range}, got ${JSON.stringify(value.slice(0, 40))}` });
    return z.NEVER;
  });
}

function parseHttpUrl(value: string): URL | undefined {
  if (!URL.canParse(value)) return undefined;
  const url = new URL(value);
  const ok = (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' && !url.username && !url.password;
  return ok ? url : undefined;
}

/** An http(s) URL with a host (a path and query allowed): an API endpoint. */
export const httpUrl = z.string().refine((value) => parseHttpUrl(value) !== undefined, 'expected an http(s) URL with a host, e.g. https://api.example.com/send');

/**
 * The service's public base URL, e.g. https://auth.example.com: mail links and the issuer are built by appending
 * to it, so a missing scheme ("localhost:3999" parses as the scheme "localhost:") or a path would send every link
 * somewhere else. Returned as the URL's origin (lower-case host, no trailing slash).
 */
export const publicBaseUrl = z.string().transform((value, context) => {
  const url = parseHttpUrl(value);
  // The raw text is checked for "?" and "#" too: a bare "https://host?" parses to an empty search and hash.
  if (url && url.pathname === '/' && !/[?#]/.test(value)) return url.origin;
  context.addIssue({ code: 'custom', message: 'expected an http(s) URL with a host and no path, query or fragment, e.g. https://auth.example.com' });
  return z.NEVER;
});

/**
 * Exactly what a browser puts in an Origin header and in WebAuthn's clientDataJSON.origin: scheme, lower-case host
 * and a non-default port, nothing else (no path, not even "/").
 */
export const bareOrigin = z.string().transform((value, context) => {
  if (parseHttpUrl(value)?.origin === value) return value;
  context.addIssue({ code: 'custom', message: `${JSON.stringify(value.slice(0, 80))} is not a bare origin (scheme://host[:port])` });
  return z.NEVER;
});

/** A DNS name such as example.com or localhost, lower-cased: no scheme, port or path (a WebAuthn RP ID). */
export const domainName = z.string().transform((value, context) => {
  const name = value.trim().toLowerCase();
  if (/^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(name)) return name;
  context.addIssue({ code: 'custom', message: `${JSON.stringify(value.slice(0, 80))} is not a domain name (no scheme, port or path)` });
  return z.NEVER;
});
