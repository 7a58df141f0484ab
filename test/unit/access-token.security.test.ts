import { SignJWT, base64url, type JWK, calculateJwkThumbprint, exportJWK, exportPKCS8, exportSPKI, generateKeyPair, importPKCS8 } from 'jose';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { signAccessToken, verifyAccessToken, type AccessTokenSettings } from '../../src/core/access-token';
import { AppError } from '../../src/core/errors';
import { loadSigningKeys, type SigningKeys } from '../../src/core/keys';
import { nodeRs256Check } from '../../src/runtime/node-rs256';

// SECURITY.md "Tokens", against the verifier itself with real RSA keys. Every forged token must end in AppError
// AUTHENTICATION_ERROR (TOKEN_EXPIRED for expiry) and never in any other error, which the HTTP layer would turn into a 500.

const settings: AccessTokenSettings = { issuer: 'https://auth.example.test', audience: 'authgate-test', ttlSeconds: 900 };
const NOW_MS = 1_750_000_000_000;
const nowSeconds = NOW_MS / 1000;
const enc = new TextEncoder();
const b64json = (value: unknown) => base64url.encode(enc.encode(JSON.stringify(value)));

let keys: SigningKeys;
let pem: string;
let publicPem: string;
let kid: string;
let otherPrivate: CryptoKey;
let publicJwk: JWK;

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    iss: settings.issuer, aud: settings.audience, sub: 'user-1', sid: 'session-1', jti: 'jti-1', role: 'USER',
    email: 'ada@example.com', amr: ['pwd'], type: 'access', iat: nowSeconds, exp: nowSeconds + 900,
  };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete base[key];
    else base[key] = value;
  }
  return base;
}

/** Signs arbitrary header and claims with an RSA key (ours unless given), bypassing signAccessToken's pinning. */
function signRaw(header: Record<string, unknown>, payload: Record<string, unknown>, key: CryptoKey = keys.current.privateKey) {
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid, ...header } as never).sign(key);
}

async function rejection(token: string, nowMs = NOW_MS): Promise<AppError> {
  const error: unknown = await verifyAccessToken(keys, settings, token, nowMs).then(
    () => new Error('token was accepted'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

async function expectRejected(token: string, code = 'AUTHENTICATION_ERROR', nowMs = NOW_MS) {
  expect((await rejection(token, nowMs)).code, token.slice(0, 120)).toBe(code);
}

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  pem = await exportPKCS8(pair.privateKey);
  publicPem = await exportSPKI(pair.publicKey);
  publicJwk = await exportJWK(pair.publicKey);
  keys = await loadSigningKeys(pem);
  kid = keys.current.kid;
  otherPrivate = (await generateKeyPair('RS256', { modulusLength: 2048 })).privateKey;
});

afterEach(() => {
  vi.unstubAllGlobals();
});

// The same forgeries against both signature checks: WebCrypto's (Workers, and jose's default) and node:crypto's
// synchronous one that the Node runtime plugs in (src/runtime/node-rs256.ts), which leaves the claim checks to jose.
const signatureChecks = [
  { name: 'WebCrypto (jose)', withCheck: (loaded: SigningKeys): SigningKeys => ({ ...loaded, checkRs256: undefined }) },
  { name: 'node:crypto, synchronous', withCheck: (loaded: SigningKeys): SigningKeys => ({ ...loaded, checkRs256: nodeRs256Check(loaded.jwks.keys) }) },
];

for (const variant of signatureChecks) describe(`with the ${variant.name} signature check`, () => {
  beforeAll(() => {
    keys = variant.withCheck(keys);
  });

  describe('a genuine token', () => {
    it('verifies, so every rejection below is caused by the forgery alone', async () => {
      const token = await signRaw({}, claims());
      await expect(verifyAccessToken(keys, settings, token, NOW_MS)).resolves.toMatchObject({ sub: 'user-1', sid: 'session-1', role: 'USER' });
      const minted = await signAccessToken(keys, settings, { sub: 'u', sid: 's', jti: 'j', role: 'ADMIN', email: 'e@x.test', amr: ['pwd'] }, NOW_MS);
      await expect(verifyAccessToken(keys, settings, minted, NOW_MS)).resolves.toMatchObject({ role: 'ADMIN', jti: 'j' });
    });
  });

  describe('algorithm attacks', () => {
    it.each(['none', 'None', 'NONE', 'nOnE'])('refuses alg %s, with or without a signature', async (alg) => {
      const unsigned = `${b64json({ alg, typ: 'at+jwt', kid })}.${b64json(claims())}`;
      await expectRejected(`${unsigned}.`);
      await expectRejected(unsigned);
      const realSignature = (await signRaw({}, claims())).split('.')[2]!;
      await expectRejected(`${unsigned}.${realSignature}`);
    });

    it('refuses HS256 tokens keyed with our public key material (PEM, JWK n, JWKS)', async () => {
      const n = keys.jwks.keys[0]!.n;
      const secrets: Uint8Array<ArrayBuffer>[] = [publicPem, `${publicPem}\n`, publicPem.trim(), n, JSON.stringify(keys.jwks.keys[0]), JSON.stringify(keys.jwks)]
        .map((s) => enc.encode(s))
        .concat([new Uint8Array(base64url.decode(n))]);
      for (const secret of secrets) {
        for (const header of [{ kid }, {}]) {
          const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', ...header }).sign(secret);
          await expectRejected(token);
        }
      }
    });

    it('refuses a token our own key signed with another RSA algorithm (PS256)', async () => {
      const pss = await importPKCS8(pem, 'PS256');
      const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'PS256', typ: 'at+jwt', kid }).sign(pss);
      await expectRejected(token);
    });
  });

  describe('key selection', () => {
    it('refuses foreign jwk, jku, x5u and x5c headers without fetching anything', async () => {
      const fetchSpy = vi.fn(() => {
        throw new Error('the verifier must never fetch');
      });
      vi.stubGlobal('fetch', fetchSpy);
      const attacker = await generateKeyPair('RS256', { extractable: true });
      const attackerJwk = await exportJWK(attacker.publicKey);
      const attackerKid = await calculateJwkThumbprint(attackerJwk);
      const headers: Record<string, unknown>[] = [
        { jwk: attackerJwk, kid: attackerKid },
        { jwk: attackerJwk, kid },
        { jwk: attackerJwk, kid: undefined },
        { jku: 'https://evil.example/jwks.json', kid: attackerKid },
        { jku: 'https://evil.example/jwks.json', kid },
        { x5u: 'https://evil.example/cert.pem', kid },
        { x5c: ['MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'], kid },
      ];
      for (const header of headers) {
        await expectRejected(await signRaw(header, claims(), attacker.privateKey));
        // Even our own signature does not make a key-carrying header acceptable.
        await expectRejected(await signRaw(header, claims()));
      }
      expect(fetchSpy).not.toHaveBeenCalled();
    });

    it('refuses unknown, missing and hostile kids', async () => {
      const hostile: unknown[] = ['unknown-kid', '../../etc/passwd', "' OR '1'='1' --", 'x'.repeat(10 * 1024), '__proto__', 'constructor', '', 42, { kid }, [kid], null, undefined];
      for (const value of hostile) await expectRejected(await signRaw({ kid: value }, claims()));
    });

    it("refuses a token signed by another RSA key that names our kid", async () => {
      await expectRejected(await signRaw({ kid }, claims(), otherPrivate));
    });
  });

  describe('damaged tokens', () => {
    function flipByte(segment: string, index: number): string {
      const bytes = base64url.decode(segment);
      const at = Math.min(index, bytes.length - 1);
      bytes[at] = bytes[at]! ^ 0x01;
      return base64url.encode(bytes);
    }

    it('refuses a flipped byte anywhere in header, payload or signature', async () => {
      const parts = (await signRaw({}, claims())).split('.');
      for (let segment = 0; segment < 3; segment++) {
        const length = base64url.decode(parts[segment]!).length;
        for (const index of [0, Math.floor(length / 2), length - 1]) {
          const copy = [...parts];
          copy[segment] = flipByte(copy[segment]!, index);
          await expectRejected(copy.join('.'));
        }
      }
    });

    it('refuses truncated, four-segment, five-segment, empty and garbage tokens', async () => {
      const token = await signRaw({}, claims());
      const [header, payload, signature] = token.split('.') as [string, string, string];
      const variants = [
        '', '.', '..', '...', `${header}.${payload}`, `${header}.${payload}.`, `${header}..${signature}`, `.${payload}.${signature}`,
        token.slice(0, -1), token.slice(0, -10), token.slice(0, token.length / 2), `${token}.${signature}`, `${token}.`,
        `${header}.${payload}.${signature}.${signature}.${signature}`, `${token}=`, ` ${token}`, 'a.b.c', '%%%.%%%.%%%',
        `${b64json([1, 2])}.${payload}.${signature}`, `${b64json(null)}.${payload}.${signature}`, `${header}.${b64json('x')}.${signature}`,
      ];
      for (const variant of variants) await expectRejected(variant);
    });
  });

  describe('time claims', () => {
    it('answers TOKEN_EXPIRED when exp is now or in the past', async () => {
      await expectRejected(await signRaw({}, claims({ exp: nowSeconds })), 'TOKEN_EXPIRED');
      await expectRejected(await signRaw({}, claims({ exp: nowSeconds - 1 })), 'TOKEN_EXPIRED');
      const minted = await signAccessToken(keys, settings, { sub: 'u', sid: 's', jti: 'j', role: 'USER', email: 'e@x.test', amr: [] }, NOW_MS);
      await expectRejected(minted, 'TOKEN_EXPIRED', NOW_MS + 900_000);
      await expect(verifyAccessToken(keys, settings, minted, NOW_MS + 899_000)).resolves.toBeDefined();
    });

    it('keeps judging the clock for a token it has verified before: expired at exp, refused again before nbf', async () => {
      const minted = await signAccessToken(keys, settings, { sub: 'u', sid: 's', jti: 'j-again', role: 'USER', email: 'e@x.test', amr: [] }, NOW_MS);
      await expect(verifyAccessToken(keys, settings, minted, NOW_MS)).resolves.toMatchObject({ jti: 'j-again' });
      await expectRejected(minted, 'TOKEN_EXPIRED', NOW_MS + 900_000);
      await expect(verifyAccessToken(keys, settings, minted, NOW_MS + 1_000)).resolves.toMatchObject({ jti: 'j-again' });
      const notBefore = await signRaw({}, claims({ jti: 'j-nbf', nbf: nowSeconds + 10 }));
      await expect(verifyAccessToken(keys, settings, notBefore, NOW_MS + 10_000)).resolves.toMatchObject({ jti: 'j-nbf' });
      await expectRejected(notBefore, 'AUTHENTICATION_ERROR', NOW_MS);
    });

    it('refuses a token it has verified before once the issuer or audience differ', async () => {
      const minted = await signAccessToken(keys, settings, { sub: 'u', sid: 's', jti: 'j-aud', role: 'USER', email: 'e@x.test', amr: [] }, NOW_MS);
      await expect(verifyAccessToken(keys, settings, minted, NOW_MS)).resolves.toBeDefined();
      for (const other of [{ ...settings, audience: 'another-service' }, { ...settings, issuer: 'https://evil.example.test' }]) {
        await expect(verifyAccessToken(keys, other, minted, NOW_MS)).rejects.toMatchObject({ code: 'AUTHENTICATION_ERROR' });
      }
    });

    it('refuses a token whose nbf is in the future or whose exp is missing or not a number', async () => {
      await expectRejected(await signRaw({}, claims({ nbf: nowSeconds + 60 })));
      for (const exp of [undefined, String(nowSeconds + 900), null, [nowSeconds + 900]]) await expectRejected(await signRaw({}, claims({ exp })));
    });

    it('never says TOKEN_EXPIRED for an expired forgery (the signature is judged first)', async () => {
      await expectRejected(await signRaw({}, claims({ exp: nowSeconds - 60 }), otherPrivate));
      await expectRejected(await signRaw({ typ: 'JWT' }, claims({ exp: nowSeconds - 60 })));
    });
  });

  describe('claims and type pinning', () => {
    it('refuses a wrong iss or aud', async () => {
      for (const iss of ['https://evil.example', `${settings.issuer}/`, undefined]) await expectRejected(await signRaw({}, claims({ iss })));
      for (const aud of ['other-service', ['other-service'], `${settings.audience} `, undefined]) await expectRejected(await signRaw({}, claims({ aud })));
    });

    it('refuses a wrong or missing typ header', async () => {
      for (const typ of ['JWT', 'jwt', 'mfa+jwt', 'AT+JWT+x', undefined]) await expectRejected(await signRaw({ typ }, claims()));
    });

    it('refuses an MFA token signed with the same key as an access token', async () => {
      await expectRejected(await signRaw({ typ: 'mfa+jwt' }, claims({ type: 'mfa' })));
      await expectRejected(await signRaw({}, claims({ type: 'mfa' })));
      await expectRejected(await signRaw({}, claims({ type: undefined })));
    });

    it('refuses tokens missing sub, sid, jti, role, email or amr', async () => {
      for (const missing of ['sub', 'sid', 'jti', 'role', 'email', 'amr', 'iat']) {
        await expectRejected(await signRaw({}, claims({ [missing]: undefined })));
      }
    });

    it('refuses a role that is not one of the three, and claims of the wrong type', async () => {
      for (const role of ['ROOT', 'admin', 'super_admin', '', ['ADMIN'], 1]) await expectRejected(await signRaw({}, claims({ role })));
      for (const [name, value] of [['sid', 1], ['jti', {}], ['amr', 'pwd'], ['amr', [1]], ['email', null]] as const) {
        await expectRejected(await signRaw({}, claims({ [name]: value })));
      }
    });
  });

});

describe('the key set', () => {
  it('publishes only kty n e kid use alg, with kid the RFC 7638 thumbprint', async () => {
    expect(keys.jwks.keys).toHaveLength(1);
    const [jwk] = keys.jwks.keys;
    expect(Object.keys(jwk!).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    expect(jwk).toMatchObject({ kty: 'RSA', use: 'sig', alg: 'RS256' });
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(JSON.stringify(keys.jwks)).not.toContain(`"${member}"`);
    // Computed by jose from the generated public key, independently of src/core/keys.
    expect(jwk!.kid).toBe(await calculateJwkThumbprint(publicJwk));
    expect(jwk!.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('derives the same kid from a PEM and a JWK private key, and signs interchangeably', async () => {
    const privateJwk = await exportJWK(keys.current.privateKey);
    const fromJwk = await loadSigningKeys(JSON.stringify(privateJwk));
    expect(fromJwk.current.kid).toBe(kid);
    expect(Object.keys(fromJwk.jwks.keys[0]!).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    const escapedPem = await loadSigningKeys(pem.replace(/\n/g, '\\n'));
    expect(escapedPem.current.kid).toBe(kid);
    const token = await signAccessToken(fromJwk, settings, { sub: 'u', sid: 's', jti: 'j', role: 'USER', email: 'e@x.test', amr: [] }, NOW_MS);
    await expect(verifyAccessToken(keys, settings, token, NOW_MS)).resolves.toBeDefined();
  });

  it('keeps verifying tokens of a previous key while signing new ones with the current key', async () => {
    const next = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
    const nextPem = await exportPKCS8(next.privateKey);
    const identity = { sub: 'u', sid: 's', jti: 'j', role: 'USER' as const, email: 'e@x.test', amr: ['pwd'] };
    const oldToken = await signAccessToken(keys, settings, identity, NOW_MS);
    for (const previous of [publicPem, JSON.stringify([keys.jwks.keys[0]]), JSON.stringify(keys.jwks)]) {
      const rotated = await loadSigningKeys(nextPem, previous);
      expect(rotated.current.kid).not.toBe(kid);
      expect(rotated.jwks.keys.map((k) => k.kid)).toEqual([rotated.current.kid, kid]);
      await expect(verifyAccessToken(rotated, settings, oldToken, NOW_MS)).resolves.toMatchObject({ sub: 'u' });
      const newToken = await signAccessToken(rotated, settings, identity, NOW_MS);
      expect(JSON.parse(new TextDecoder().decode(base64url.decode(newToken.split('.')[0]!))).kid).toBe(rotated.current.kid);
      await expect(verifyAccessToken(rotated, settings, newToken, NOW_MS)).resolves.toBeDefined();
    }
    // Without the previous key configured, the old token is dead.
    const withoutPrevious = await loadSigningKeys(nextPem);
    await expect(verifyAccessToken(withoutPrevious, settings, oldToken, NOW_MS)).rejects.toMatchObject({ code: 'AUTHENTICATION_ERROR' });
  });
});

