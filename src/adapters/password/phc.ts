// Encoding of Argon2id hashes as PHC strings: $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>
// (https://github.com/P-H-C/phc-string-format/blob/master/phc-sf-spec.md, base64 without padding).
// Parsing is strict and bounded: a stored hash is data, and a hostile one must not make us allocate gigabytes.

export type Argon2Params = { memoryKib: number; iterations: number; parallelism: number };

export interface Argon2Phc {
  params: Argon2Params;
  salt: Uint8Array;
  hash: Uint8Array;
}

export const SALT_BYTES = 16;
export const HASH_BYTES = 32;

/** Upper bounds on what a stored hash may ask of us; each is raised to the configured value when that is higher. */
export const PHC_MAX = { memoryKib: 262_144, iterations: 16, parallelism: 16 } as const;

const SALT_BYTES_RANGE = [8, 64] as const;
const HASH_BYTES_RANGE = [16, 64] as const;

const PHC_PATTERN = /^\$argon2id\$v=19\$m=(\d{1,10}),t=(\d{1,10}),p=(\d{1,10})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/** The limits for stored hashes: PHC_MAX, but never below what we ourselves are configured to produce. */
export function phcLimits(configured: Argon2Params): Argon2Params {
  return {
    memoryKib: Math.max(PHC_MAX.memoryKib, configured.memoryKib),
    iterations: Math.max(PHC_MAX.iterations, configured.iterations),
    parallelism: Math.max(PHC_MAX.parallelism, configured.parallelism),
  };
}

/** Parses an Argon2id v19 PHC string; null for anything malformed or outside `limits`. */
export function parsePhc(phc: string, limits: Argon2Params): Argon2Phc | null {
  if (typeof phc !== 'string' || phc.length > 512) return null;
  const match = PHC_PATTERN.exec(phc);
  if (!match) return null;
  const [, m, t, p, saltB64, hashB64] = match;
  const memoryKib = decimal(m);
  const iterations = decimal(t);
  const parallelism = decimal(p);
  if (memoryKib === null || iterations === null || parallelism === null) return null;
  if (parallelism < 1 || parallelism > limits.parallelism) return null;
  if (iterations < 1 || iterations > limits.iterations) return null;
  // Argon2 needs at least 8 KiB per lane (RFC 9106, section 3.1).
  if (memoryKib < 8 * parallelism || memoryKib > limits.memoryKib) return null;
  const salt = decodeB64(saltB64);
  const hash = decodeB64(hashB64);
  if (!salt || salt.length < SALT_BYTES_RANGE[0] || salt.length > SALT_BYTES_RANGE[1]) return null;
  if (!hash || hash.length < HASH_BYTES_RANGE[0] || hash.length > HASH_BYTES_RANGE[1]) return null;
  return { params: { memoryKib, iterations, parallelism }, salt, hash };
}

export function formatPhc({ params, salt, hash }: Argon2Phc): string {
  const { memoryKib, iterations, parallelism } = params;
  return `$argon2id$v=19$m=${memoryKib},t=${iterations},p=${parallelism}$${encodeB64(salt)}$${encodeB64(hash)}`;
}

/** True when the hash was not made exactly the way we make hashes now (parameters, salt and output length). */
export function differsFromCurrent(parsed: Argon2Phc | null, configured: Argon2Params): boolean {
  if (!parsed) return true;
  const { params } = parsed;
  return (
    params.memoryKib !== configured.memoryKib ||
    params.iterations !== configured.iterations ||
    params.parallelism !== configured.parallelism ||
    parsed.salt.length !== SALT_BYTES ||
    parsed.hash.length !== HASH_BYTES
  );
}

// PHC decimals have no sign and no leading zeros.
function decimal(digits: string | undefined): number | null {
  if (digits === undefined || (digits.length > 1 && digits.startsWith('0'))) return null;
  const value = Number(digits);
  return Number.isSafeInteger(value) ? value : null;
}

function encodeB64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!);
  return btoa(binary).replace(/=+$/, '');
}

// Only the canonical spelling is accepted: a length of 4n+1 is impossible, and the unused low bits of the last
// character must be zero, so every byte string has exactly one encoding (checked by encoding it back).
function decodeB64(text: string | undefined): Uint8Array | null {
  if (text === undefined || text.length % 4 === 1) return null;
  const binary = atob(text); // forgiving-base64: the padding may be left out
  // By index: Uint8Array.from(binary, fn) walks the string with its iterator, several times slower.
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return encodeB64(bytes) === text ? bytes : null;
}
