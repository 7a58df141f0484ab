import { SignJWT, UnsecuredJWT, base64url, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import { AppError } from './errors';
import type { SigningKeys } from './keys';
import type { Role } from './ports';

// RS256 access tokens per API.md. Verification pins alg, typ, iss and aud (RFC 8725 §3.1, §3.8, §3.9, §3.11).

export const ACCESS_TOKEN_TYP = 'at+jwt';

export interface AccessClaims {
  sub: string;
  sid: string;
  jti: string;
  role: Role;
  email: string;
  amr: string[];
  iat: number;
  exp: number;
}

export interface AccessTokenSettings {
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

const ROLES: readonly string[] = ['USER', 'ADMIN', 'SUPER_ADMIN'];

export async function signAccessToken(
  keys: SigningKeys,
  settings: AccessTokenSettings,
  claims: { sub: string; sid: string; jti: string; role: Role; email: string; amr: string[] },
  nowMs: number,
): Promise<string> {
  const iat = Math.floor(nowMs / 1000);
  const header = { alg: 'RS256', typ: ACCESS_TOKEN_TYP, kid: keys.current.kid };
  const payload = {
    sid: claims.sid,
    role: claims.role,
    email: claims.email,
    amr: claims.amr,
    type: 'access',
    iss: settings.issuer,
    aud: settings.audience,
    sub: claims.sub,
    jti: claims.jti,
    iat,
    exp: iat + settings.ttlSeconds,
  };
  if (keys.signRs256) return signedByRuntime(keys.signRs256, header, payload);
  return new SignJWT(payload).setProtectedHeader(header).sign(keys.current.privateKey);
}

const segment = (value: object) => base64url.encode(encoder.encode(JSON.stringify(value)));

/**
 * The compact JWS SignJWT makes of the same header and payload (JSON of each, base64url, joined by dots), with the
 * signature from the runtime's signer; jose signs only through WebCrypto. test/unit/node-crypto compares the two.
 */
async function signedByRuntime(sign: NonNullable<SigningKeys['signRs256']>, header: object, payload: object): Promise<string> {
  const signingInput = `${segment(header)}.${segment(payload)}`;
  return `${signingInput}.${base64url.encode(await sign(encoder.encode(signingInput)))}`;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function narrowClaims(payload: JWTPayload): AccessClaims | null {
  const { sub, sid, jti, role, email, amr, iat, exp, type } = payload as Record<string, unknown>;
  if (type !== 'access') return null;
  if (typeof sub !== 'string' || typeof sid !== 'string' || typeof jti !== 'string' || typeof email !== 'string') return null;
  if (typeof role !== 'string' || !ROLES.includes(role) || !isStringArray(amr)) return null;
  if (typeof iat !== 'number' || typeof exp !== 'number') return null;
  return { sub, sid, jti, role: role as Role, email, amr, iat, exp };
}

const unauthenticated = () => new AppError('AUTHENTICATION_ERROR', 'Invalid or missing access token');

/**
 * Tokens whose signature and claims were verified, by their exact text, per key set: a client presents the same token
 * for up to ACCESS_TOKEN_TTL_SECONDS, and whether that text was signed by one of these keys never changes, so each is
 * verified once. What can change is checked on every use: the clock (exp, nbf here) and revocation (the denylist,
 * by the caller). Bounded; the oldest entry goes first.
 */
const MAX_VERIFIED_TOKENS = 10_000;
const verifiedTokens = new WeakMap<SigningKeys, Map<string, { claims: AccessClaims; nbf: number | undefined; settings: AccessTokenSettings }>>();

function verifiedBefore(keys: SigningKeys, settings: AccessTokenSettings, token: string, nowMs: number): AccessClaims | undefined {
  const entry = verifiedTokens.get(keys)?.get(token);
  if (!entry || entry.settings.issuer !== settings.issuer || entry.settings.audience !== settings.audience) return undefined;
  // jose's rules, clockTolerance 0: expired at exp, not yet valid before nbf.
  const now = Math.floor(nowMs / 1000);
  if (entry.claims.exp <= now) throw new AppError('TOKEN_EXPIRED', 'Access token expired');
  if (entry.nbf !== undefined && entry.nbf > now) throw unauthenticated();
  return entry.claims;
}

function remember(keys: SigningKeys, settings: AccessTokenSettings, token: string, claims: AccessClaims, nbf: unknown): void {
  let tokens = verifiedTokens.get(keys);
  if (!tokens) verifiedTokens.set(keys, (tokens = new Map()));
  if (tokens.size >= MAX_VERIFIED_TOKENS) tokens.delete(tokens.keys().next().value!);
  tokens.set(token, { claims, nbf: typeof nbf === 'number' ? nbf : undefined, settings });
}

/**
 * The claims of a token verified before and still within its times, or undefined: never verifies anything itself,
 * so it is cheap enough to ask before the request's real check (which must still run).
 */
export function previouslyVerifiedClaims(keys: SigningKeys, settings: AccessTokenSettings, token: string, nowMs: number): AccessClaims | undefined {
  try {
    return verifiedBefore(keys, settings, token, nowMs);
  } catch {
    return undefined;
  }
}

/** Verifies an access token; throws AppError TOKEN_EXPIRED or AUTHENTICATION_ERROR, never anything else. */
export async function verifyAccessToken(keys: SigningKeys, settings: AccessTokenSettings, token: string, nowMs: number): Promise<AccessClaims> {
  const known = verifiedBefore(keys, settings, token, nowMs);
  if (known) return known;
  let header;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw unauthenticated();
  }
  // Key-carrying headers are an attacker's way to choose the verification key (RFC 8725 §3.10): refuse outright,
  // and never fetch what jku/x5u point at.
  if ('jwk' in header || 'jku' in header || 'x5u' in header || 'x5c' in header) throw unauthenticated();
  const kid = typeof header.kid === 'string' ? header.kid : undefined;
  const key = kid === undefined ? undefined : keys.verificationKeys.get(kid);
  if (!key || kid === undefined) throw unauthenticated();
  const options = {
    algorithms: ['RS256'],
    typ: ACCESS_TOKEN_TYP,
    issuer: settings.issuer,
    audience: settings.audience,
    currentDate: new Date(nowMs),
    requiredClaims: ['exp', 'iat', 'sub', 'jti'],
    clockTolerance: 0,
  };
  try {
    const payload = keys.checkRs256
      ? checkedSynchronously(keys.checkRs256, kid, header, token, options)
      : (await jwtVerify(token, key, options)).payload;
    const claims = narrowClaims(payload);
    if (!claims) throw unauthenticated();
    remember(keys, settings, token, claims, payload.nbf);
    return claims;
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw new AppError('TOKEN_EXPIRED', 'Access token expired');
    throw unauthenticated();
  }
}

const encoder = new TextEncoder();

/**
 * The signature checked by the runtime's synchronous RS256 (jose has no synchronous verify), then jose's own claim
 * checks (iss, aud, exp, iat, typ, required claims) over the very same payload segment, re-framed as an unsecured
 * JWT: the one thing jose does not see is the signature, and that was checked first. The header rules are jose's:
 * alg pinned, no `crit` we would have to understand.
 */
function checkedSynchronously(
  check: NonNullable<SigningKeys['checkRs256']>,
  kid: string,
  header: ProtectedHeaderParameters,
  token: string,
  options: Parameters<typeof UnsecuredJWT.decode>[1] & { algorithms: string[] },
): JWTPayload {
  const parts = token.split('.');
  if (parts.length !== 3 || header.alg !== 'RS256' || header.crit !== undefined) throw unauthenticated();
  const [protectedPart, payloadPart, signaturePart] = parts as [string, string, string];
  if (!check(kid, encoder.encode(`${protectedPart}.${payloadPart}`), base64url.decode(signaturePart))) throw unauthenticated();
  const unsecuredHeader = base64url.encode(JSON.stringify({ alg: 'none', ...(header.typ === undefined ? {} : { typ: header.typ }) }));
  const { algorithms: _, ...claimOptions } = options;
  return UnsecuredJWT.decode(`${unsecuredHeader}.${payloadPart}.`, claimOptions).payload;
}
