// Constant-time comparison from WebCrypto alone (Workers have no node:crypto.timingSafeEqual by default): MAC one
// value under a fresh random key and let HMAC *verification* — constant-time inside WebCrypto — check the other
// against it. Equal inputs verify; any difference fails, and the timing never says where.

export async function constantTimeEqual(a: Uint8Array, b: Uint8Array): Promise<boolean> {
  if (a.length !== b.length) return false;
  const key = await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  const mac = await crypto.subtle.sign('HMAC', key, a as BufferSource);
  return crypto.subtle.verify('HMAC', key, mac, b as BufferSource);
}
