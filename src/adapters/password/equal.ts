// Comparison of two equal-length byte strings in time that does not depend on where they first differ.
// Workers provide crypto.subtle.timingSafeEqual (a non-standard extension); elsewhere the usual
// accumulate-every-difference loop stands in, which has no early exit.

type TimingSafeSubtle = SubtleCrypto & { timingSafeEqual?: (a: ArrayBufferView, b: ArrayBufferView) => boolean };

export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  const subtle = globalThis.crypto.subtle as TimingSafeSubtle;
  if (typeof subtle.timingSafeEqual === 'function') return subtle.timingSafeEqual(a, b);
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}
