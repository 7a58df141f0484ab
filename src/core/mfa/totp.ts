import { Secret, TOTP } from 'otpauth';
import type { Random } from '../ports';

// RFC 6238 as API.md fixes it: HMAC-SHA-1, 6 digits, 30-second steps, which is what every authenticator app
// defaults to. otpauth computes the codes; its validate compares them in constant time (a timingSafeEqual of its
// own, node:crypto's on Node) and returns how many steps from now the match lies.

const PARAMETERS = { algorithm: 'SHA1', digits: 6, period: 30 } as const;

/** 160 bits: the secret length RFC 4226 §4 (R6) recommends, and the minimum SECURITY.md allows. */
export const TOTP_SECRET_BYTES = 20;

/** RFC 6238 §5.2: one step either side absorbs clock drift and typing time; two steps never match. */
const WINDOW_STEPS = 1;

const CODE_SHAPE = /^\d{6}$/;

export function looksLikeTotpCode(code: string): boolean {
  return CODE_SHAPE.test(code);
}

export function newTotpSecret(random: Random): Uint8Array {
  return random.bytes(TOTP_SECRET_BYTES);
}

function secretOf(bytes: Uint8Array): Secret {
  return new Secret({ buffer: bytes.slice().buffer });
}

/** The base32 form users type into an authenticator when they cannot scan the QR code. */
export function base32Secret(bytes: Uint8Array): string {
  return secretOf(bytes).base32;
}

/** The `otpauth://totp/Issuer:account?secret=...&issuer=...` URI the QR code carries (Key Uri Format). */
export function otpauthUri(bytes: Uint8Array, issuer: string, account: string): string {
  return new TOTP({ ...PARAMETERS, issuer, label: account, secret: secretOf(bytes) }).toString();
}

/** The time step (30-second counter) `code` belongs to, within one step of now, or null when it matches none. */
export function matchTotpStep(bytes: Uint8Array, code: string, nowMs: number): number | null {
  if (!looksLikeTotpCode(code)) return null;
  const delta = TOTP.validate({ ...PARAMETERS, token: code, secret: secretOf(bytes), timestamp: nowMs, window: WINDOW_STEPS });
  return delta === null ? null : TOTP.counter({ period: PARAMETERS.period, timestamp: nowMs }) + delta;
}
