import { sha256Hex } from '../crypto';
import type { Random } from '../ports';

// Backup codes: eight per set, shown once, stored as SHA-256 (each carries 50 random bits, so no slow hash is
// needed against guessing through the API, where lockout and rate limits apply).
// Crockford's base32 alphabet (no i, l, o, u) in two groups of five, e.g. `7mx2k-q9d4z`: easy to read aloud and type;
// on input, case, spaces and hyphens do not matter and the look-alikes i/l and o are read as 1 and 0.

export const BACKUP_CODE_COUNT = 8;
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const CODE_LENGTH = 10; // 10 × 5 bits = 50 bits
const LOOK_ALIKES: Record<string, string> = { i: '1', l: '1', o: '0' };
const NORMALIZED = new RegExp(`^[${ALPHABET}]{${CODE_LENGTH}}$`);

function newBackupCode(random: Random): string {
  // 256 is a multiple of 32, so `byte & 31` picks every symbol with the same probability.
  const symbols = Array.from(random.bytes(CODE_LENGTH), (byte) => ALPHABET[byte & 31]!).join('');
  return `${symbols.slice(0, 5)}-${symbols.slice(5)}`;
}

export function newBackupCodes(random: Random): string[] {
  return Array.from({ length: BACKUP_CODE_COUNT }, () => newBackupCode(random));
}

/** The canonical form of what a user typed, or null when it cannot be one of our codes. */
export function normalizeBackupCode(input: string): string | null {
  if (input.length > 40) return null;
  const compact = input.toLowerCase().replace(/[\s-]/g, '').replace(/[ilo]/g, (c) => LOOK_ALIKES[c]!);
  return NORMALIZED.test(compact) ? compact : null;
}

/** The stored form of a code (as issued or as typed): SHA-256 of its canonical form. */
export async function hashBackupCode(code: string): Promise<string | null> {
  const normalized = normalizeBackupCode(code);
  return normalized === null ? null : sha256Hex(normalized);
}

/** The stored forms of a freshly issued set. */
export function hashBackupCodes(codes: readonly string[]): Promise<string[]> {
  return Promise.all(codes.map((code) => sha256Hex(normalizeBackupCode(code)!)));
}
