// Node: RS256 signatures checked with node:crypto on the event loop. An RSA-2048 verify costs tens of microseconds,
// less than WebCrypto's round trip through the thread pool that every authenticated request would otherwise make.
import { constants, createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { PublicJwk, Rs256Check } from '../core/keys';

/** The check over exactly the published keys (the JWKS the WebCrypto path verifies with). */
export function nodeRs256Check(jwks: readonly PublicJwk[]): Rs256Check {
  const byKid = new Map<string, KeyObject>(jwks.map((jwk) => [jwk.kid, createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' })]));
  return (kid, data, signature) => {
    const key = byKid.get(kid);
    if (!key) return false;
    return verify('sha256', data, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
  };
}
