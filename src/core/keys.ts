import { ConfigError } from '../config';
import { pemKeyType } from './key-type';
import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair, importJWK, importPKCS8, importSPKI, type JWK } from 'jose';

// RS256 signing keys. The `kid` is the RFC 7638 thumbprint of the public key, so it is stable and derivable
// by anyone holding the JWKS.

export interface PublicJwk {
  kty: 'RSA';
  n: string;
  e: string;
  kid: string;
  use: 'sig';
  alg: 'RS256';
}

export interface SigningKeys {
  /** The key new tokens are signed with. */
  current: { kid: string; privateKey: CryptoKey };
  /** Public keys by kid: the current one and still-valid previous ones. */
  verificationKeys: Map<string, CryptoKey>;
  /** Published at /.well-known/jwks.json: only `kty n e kid use alg`. */
  jwks: { keys: PublicJwk[] };
  /**
   * Where the runtime can check an RS256 signature synchronously (Node: node:crypto over the same public keys), the
   * access-token check uses it instead of WebCrypto's asynchronous verify. False for an unknown kid or a bad signature.
   */
  checkRs256?: Rs256Check;
  /**
   * Where the runtime signs RS256 with less overhead (Node: node:crypto's sign, still on the thread pool, without
   * WebCrypto's job machinery on the event loop), access tokens are signed with it over `current.privateKey`. The
   * tokens are the same bytes either way: RSASSA-PKCS1-v1_5 signatures are deterministic.
   */
  signRs256?: Rs256Sign;
}

/** RSASSA-PKCS1-v1_5 with SHA-256 over `data`, by the public key of `kid`. */
export type Rs256Check = (kid: string, data: Uint8Array, signature: Uint8Array) => boolean;
export type Rs256Sign = (data: Uint8Array) => Promise<Uint8Array>;

/** A bad key setting stops start-up like any other bad setting: one line naming it. */
export class KeyConfigError extends ConfigError {
  override name = 'KeyConfigError';
}

/** NIST SP 800-131A: RSA below 2048 bits is disallowed for signatures; a 1024-bit modulus is within reach of factoring. */
export const MIN_RSA_BITS = 2048;

// JWK key types named back in a message; any other `kty` text is not echoed.
const JWK_TYPES = new Set(['EC', 'OKP', 'oct']);

function notRsa(setting: string, kind: string | undefined): KeyConfigError {
  const what = kind && kind !== 'unknown' ? `an ${kind} key` : 'not an RSA key';
  return new KeyConfigError(`setting ${setting} is invalid: it is ${what}, but RS256 needs an RSA key of at least ${MIN_RSA_BITS} bits`);
}

/** Refuses a PEM that holds a key of another kind, by name, before WebCrypto refuses it with a bare DataError. */
function requireRsaPem(setting: string, pem: string): void {
  const kind = pemKeyType(pem);
  if (kind !== undefined && kind !== 'RSA') throw notRsa(setting, kind);
}

function requireStrength<T extends CryptoKey>(setting: string, key: T): T {
  const bits = (key.algorithm as RsaHashedKeyAlgorithm).modulusLength;
  if (!(bits >= MIN_RSA_BITS)) throw new KeyConfigError(`setting ${setting} is invalid: the RSA key has ${bits} bits; at least ${MIN_RSA_BITS} are needed`);
  return key;
}

async function asSetting<T>(name: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (error instanceof KeyConfigError) throw error;
    // JSON and PEM parse failures (SyntaxError, jose's errors): never echo the key material itself.
    throw new KeyConfigError(`setting ${name} is invalid: it could not be read as a key (${error instanceof Error ? error.name : 'error'})`);
  }
}

async function toPublicJwk(key: CryptoKey): Promise<PublicJwk> {
  const jwk = await exportJWK(key);
  if (jwk.kty !== 'RSA' || !jwk.n || !jwk.e) throw new KeyConfigError('setting JWT_PRIVATE_KEY is invalid: only RSA keys are supported');
  const kid = await calculateJwkThumbprint({ kty: 'RSA', n: jwk.n, e: jwk.e });
  // Pick members explicitly: a private JWK must never leak `d p q dp dq qi` into the JWKS.
  return { kty: 'RSA', n: jwk.n, e: jwk.e, kid, use: 'sig', alg: 'RS256' };
}

async function importPrivate(material: string): Promise<CryptoKey> {
  const text = material.trim().replace(/\\n/g, '\n');
  if (text.startsWith('{')) {
    const jwk = JSON.parse(text) as JWK;
    if (jwk.kty !== undefined && jwk.kty !== 'RSA') throw notRsa('JWT_PRIVATE_KEY', JWK_TYPES.has(jwk.kty) ? jwk.kty : undefined);
    if (jwk.kty !== 'RSA' || !jwk.d) throw new KeyConfigError('setting JWT_PRIVATE_KEY is invalid: expected an RSA private JWK');
    return requireStrength('JWT_PRIVATE_KEY', (await importJWK({ ...jwk, alg: 'RS256' }, 'RS256', { extractable: true })) as CryptoKey);
  }
  requireRsaPem('JWT_PRIVATE_KEY', text);
  if (text.includes('BEGIN PRIVATE KEY')) return requireStrength('JWT_PRIVATE_KEY', await importPKCS8(text, 'RS256', { extractable: true }));
  throw new KeyConfigError('setting JWT_PRIVATE_KEY is invalid: expected a PKCS#8 PEM ("BEGIN PRIVATE KEY") or an RSA JWK');
}

async function importPublicKeys(material: string | undefined): Promise<CryptoKey[]> {
  if (!material?.trim()) return [];
  const text = material.trim().replace(/\\n/g, '\n');
  if (text.startsWith('[') || text.startsWith('{')) {
    const parsed: unknown = JSON.parse(text);
    const list = Array.isArray(parsed) ? parsed : (parsed as { keys?: unknown }).keys;
    if (!Array.isArray(list)) throw new KeyConfigError('setting JWT_PREVIOUS_PUBLIC_KEYS is invalid: expected a JWK array or a JWKS');
    return Promise.all(
      list.map(async (entry: unknown) => {
        const jwk = entry as JWK;
        if (jwk.kty !== 'RSA') throw notRsa('JWT_PREVIOUS_PUBLIC_KEYS', jwk.kty && JWK_TYPES.has(jwk.kty) ? jwk.kty : undefined);
        if (!jwk.n || !jwk.e) throw new KeyConfigError('setting JWT_PREVIOUS_PUBLIC_KEYS is invalid: an RSA JWK without n and e');
        return requireStrength('JWT_PREVIOUS_PUBLIC_KEYS', (await importJWK({ kty: 'RSA', n: jwk.n, e: jwk.e }, 'RS256', { extractable: true })) as CryptoKey);
      }),
    );
  }
  const pems = text.match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g) ?? [];
  if (pems.length === 0) throw new KeyConfigError('setting JWT_PREVIOUS_PUBLIC_KEYS is invalid: expected PEM public keys or JWKs');
  return Promise.all(
    pems.map(async (pem) => {
      requireRsaPem('JWT_PREVIOUS_PUBLIC_KEYS', pem);
      return requireStrength('JWT_PREVIOUS_PUBLIC_KEYS', await importSPKI(pem, 'RS256', { extractable: true }));
    }),
  );
}

/** Builds the key set from the configured private key and any previous public keys (key rotation). */
export async function loadSigningKeys(privateKeyMaterial: string, previousPublicKeys?: string | readonly (string | undefined)[]): Promise<SigningKeys> {
  const privateKey = await asSetting('JWT_PRIVATE_KEY', () => importPrivate(privateKeyMaterial));
  const currentJwk = await toPublicJwk(privateKey);
  const keys: PublicJwk[] = [currentJwk];
  const verificationKeys = new Map<string, CryptoKey>();
  verificationKeys.set(currentJwk.kid, (await importJWK(currentJwk, 'RS256')) as CryptoKey);
  // Several sources: the JWT_PREVIOUS_PUBLIC_KEYS setting and, for a key kept in the database, the keys rotated out.
  const sources = typeof previousPublicKeys === 'string' || previousPublicKeys === undefined ? [previousPublicKeys] : previousPublicKeys;
  const previous = (await Promise.all(sources.map((source) => asSetting('JWT_PREVIOUS_PUBLIC_KEYS', () => importPublicKeys(source))))).flat();
  for (const key of previous) {
    const jwk = await toPublicJwk(key);
    if (verificationKeys.has(jwk.kid)) continue;
    verificationKeys.set(jwk.kid, key);
    keys.push(jwk);
  }
  return { current: { kid: currentJwk.kid, privateKey }, verificationKeys, jwks: { keys } };
}

/** A fresh 2048-bit RSA key as PKCS#8 PEM (embedded mode generates one once and persists it). */
export async function generatePrivateKeyPem(): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  return exportPKCS8(privateKey);
}
