import { ConfigError } from '../config';
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
}

/** A bad key setting stops start-up like any other bad setting: one line naming it. */
export class KeyConfigError extends ConfigError {
  override name = 'KeyConfigError';
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
    if (jwk.kty !== 'RSA' || !jwk.d) throw new KeyConfigError('setting JWT_PRIVATE_KEY is invalid: expected an RSA private JWK');
    return (await importJWK({ ...jwk, alg: 'RS256' }, 'RS256', { extractable: true })) as CryptoKey;
  }
  if (text.includes('BEGIN PRIVATE KEY')) return importPKCS8(text, 'RS256', { extractable: true });
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
        if (jwk.kty !== 'RSA' || !jwk.n || !jwk.e) throw new KeyConfigError('setting JWT_PREVIOUS_PUBLIC_KEYS is invalid: it holds a non-RSA key');
        return (await importJWK({ kty: 'RSA', n: jwk.n, e: jwk.e }, 'RS256', { extractable: true })) as CryptoKey;
      }),
    );
  }
  const pems = text.match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g) ?? [];
  if (pems.length === 0) throw new KeyConfigError('setting JWT_PREVIOUS_PUBLIC_KEYS is invalid: expected PEM public keys or JWKs');
  return Promise.all(pems.map((pem) => importSPKI(pem, 'RS256', { extractable: true })));
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
