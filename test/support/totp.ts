// An RFC 6238 / RFC 4226 code generator for tests, written from the RFCs on WebCrypto alone (it runs on Node and
// inside workerd) and independent of the otpauth library the service uses, so the two check each other.

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 (padding optional), as in an otpauth:// URI's `secret`. */
export function base32Decode(text: string): Uint8Array {
  const clean = text.replace(/=+$/, '').toUpperCase();
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of clean) {
    const value = BASE32.indexOf(char);
    if (value < 0) throw new Error(`not base32: ${char}`);
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((buffer >> bits) & 0xff);
    }
  }
  return new Uint8Array(out);
}

/** RFC 4226 §5.3: HMAC-SHA-1 over the 8-byte big-endian counter, dynamic truncation, modulo 10^digits. */
export async function hotp(secret: Uint8Array, counter: number, digits = 6): Promise<string> {
  const message = new DataView(new ArrayBuffer(8));
  message.setUint32(0, Math.floor(counter / 2 ** 32));
  message.setUint32(4, counter >>> 0);
  const key = await crypto.subtle.importKey('raw', secret as BufferSource, { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, message.buffer));
  const offset = mac[19]! & 0x0f;
  const binary = ((mac[offset]! & 0x7f) << 24) | (mac[offset + 1]! << 16) | (mac[offset + 2]! << 8) | mac[offset + 3]!;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** RFC 6238 §4: the time step of an instant (T0 = 0, X = 30 s). */
export const timeStep = (ms: number) => Math.floor(ms / 1000 / 30);

/** The code of the step `offset` steps away from the step of `ms`. */
export function totp(secret: Uint8Array, ms: number, options: { offset?: number; digits?: number } = {}): Promise<string> {
  return hotp(secret, timeStep(ms) + (options.offset ?? 0), options.digits ?? 6);
}

/** The secret of an otpauth://totp/ URI. */
export function secretOfUri(uri: string): Uint8Array {
  const secret = new URL(uri).searchParams.get('secret');
  if (!secret) throw new Error('no secret in the otpauth URI');
  return base32Decode(secret);
}
