import { exportSPKI, importJWK } from 'jose';
import { z } from 'zod';
import { generatePrivateKeyPem, loadSigningKeys } from './keys';

// Rotating a signing key that lives in the database (no JWT_PRIVATE_KEY: embedded mode, or PostgreSQL left to keep
// it): the new private key replaces the old one, and the old public key stays published — and verifying — until
// the longest access token it signed has expired. A configured key is rotated by the operator instead: the CLI
// prints the new private key and the public key to append to JWT_PREVIOUS_PUBLIC_KEYS.

export const PRIVATE_KEY_SECRET = 'jwt_private_key';
export const RETIRED_KEYS_SECRET = 'jwt_retired_public_keys';

const RetiredKeys = z.array(z.object({ kid: z.string(), publicKeyPem: z.string(), publishedUntil: z.iso.datetime() }));
export type RetiredKey = z.infer<typeof RetiredKeys>[number];

/** The stored list; a damaged one is an error, never silently an empty list (tokens would stop verifying). */
export function parseRetiredKeys(stored: string | null): RetiredKey[] {
  if (stored === null) return [];
  const parsed = RetiredKeys.safeParse(JSON.parse(stored));
  if (!parsed.success) throw new Error(`instance secret ${RETIRED_KEYS_SECRET} is damaged`);
  return parsed.data;
}

/** Retired public keys still to publish at `nowMs`, as PEM. */
export function liveRetiredKeyPems(stored: string | null, nowMs: number): string[] {
  return parseRetiredKeys(stored)
    .filter((key) => Date.parse(key.publishedUntil) > nowMs)
    .map((key) => key.publicKeyPem);
}

/** The kid and SPKI PEM of the public half of a private key. */
export async function publicKeyOf(privateKeyMaterial: string): Promise<{ kid: string; pem: string }> {
  const keys = await loadSigningKeys(privateKeyMaterial);
  const jwk = keys.jwks.keys[0]!;
  const publicKey = await importJWK({ kty: 'RSA', n: jwk.n, e: jwk.e }, 'RS256', { extractable: true });
  return { kid: jwk.kid, pem: await exportSPKI(publicKey as CryptoKey) };
}

export interface Rotation {
  privateKeyPem: string;
  newKid: string;
  oldKid: string;
  oldPublishedUntil: Date;
  /** The retired list to store: the old key added, keys past their time dropped. */
  retired: RetiredKey[];
}

export async function rotateKey(currentPrivateKey: string, storedRetired: string | null, nowMs: number, accessTokenTtlSeconds: number): Promise<Rotation> {
  const old = await publicKeyOf(currentPrivateKey);
  const privateKeyPem = await generatePrivateKeyPem();
  const oldPublishedUntil = new Date(nowMs + accessTokenTtlSeconds * 1000);
  const retired = [
    ...parseRetiredKeys(storedRetired).filter((key) => Date.parse(key.publishedUntil) > nowMs && key.kid !== old.kid),
    { kid: old.kid, publicKeyPem: old.pem, publishedUntil: oldPublishedUntil.toISOString() },
  ];
  return { privateKeyPem, newKid: (await publicKeyOf(privateKeyPem)).kid, oldKid: old.kid, oldPublishedUntil, retired };
}
