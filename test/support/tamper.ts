import { base64url } from 'jose';

// Tampering must change the bytes a verifier reads. Editing base64url text does not always do that: the last
// character of a segment whose length is not a multiple of 3 bytes carries padding bits that decode to nothing (an
// RS256 signature ends in 4 such bits, so replacing a trailing 'A' by 'B' can leave the signature intact).
// These helpers change the decoded bytes and re-encode them canonically.

/** `segment` (base64url) with byte `index` (default: the last; negative counts from the end) XORed with `mask`. */
export function flipByte(segment: string, index = -1, mask = 0x01): string {
  const bytes = base64url.decode(segment);
  if (bytes.length === 0) throw new Error('cannot tamper with an empty segment');
  const at = ((index % bytes.length) + bytes.length) % bytes.length;
  bytes[at] = bytes[at]! ^ (mask & 0xff || 0x01);
  const tampered = base64url.encode(bytes);
  if (tampered === segment) throw new Error('tampering left the segment unchanged');
  return tampered;
}

/** A compact JWS with one byte of its header (0), payload (1) or signature (2, the default) changed. */
export function tamperJwt(token: string, part: 0 | 1 | 2 = 2, index = -1): string {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error('not a compact JWS');
  parts[part] = flipByte(parts[part]!, index);
  return parts.join('.');
}
