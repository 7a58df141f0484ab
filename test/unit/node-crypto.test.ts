import { exportPKCS8, generateKeyPair, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { signAccessToken, verifyAccessToken } from '../../src/core/access-token';
import { deriveKeyBytes, importHmacKey, webCryptoHashes } from '../../src/core/crypto';
import { loadSigningKeys, type SigningKeys } from '../../src/core/keys';
import { nodeHashes, nodeRs256Sign } from '../../src/runtime/node-crypto';

// Node's faster engine for the token hashes and the RS256 signature must compute exactly what WebCrypto and jose
// compute: a refresh token hashed on Node must match the hash a Worker stored, and a token signed on Node must be the
// token jose would have made.

const inputs = ['', 'a', 'x'.repeat(43), 'rt_ünïcødé-✓-𝄞', 'A'.repeat(10_000)];

describe('node:crypto hashes', () => {
  it('give the same SHA-256 hex as WebCrypto', async () => {
    for (const input of inputs) expect(await nodeHashes.sha256Hex(input)).toBe(await webCryptoHashes.sha256Hex(input));
    expect(await nodeHashes.sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('give the same HMAC-SHA-256 (base64url) as WebCrypto under the same derived secret', async () => {
    const secret = await deriveKeyBytes(new Uint8Array(32).fill(7), 'refresh-token-child');
    const nodeKey = await nodeHashes.importHmacKey(secret);
    const webKey = await webCryptoHashes.importHmacKey(secret);
    expect(nodeKey.extractable).toBe(false);
    for (const input of inputs) expect(await nodeHashes.hmacBase64url(nodeKey, input)).toBe(await webCryptoHashes.hmacBase64url(webKey, input));
    const other = await nodeHashes.importHmacKey(await deriveKeyBytes(new Uint8Array(32).fill(8), 'refresh-token-child'));
    expect(await nodeHashes.hmacBase64url(other, 'same')).not.toBe(await nodeHashes.hmacBase64url(nodeKey, 'same'));
  });

  it('give the same MAC for a key imported before the engine was installed (through WebCrypto)', async () => {
    const secret = await deriveKeyBytes(new Uint8Array(32).fill(9), 'refresh-token-child');
    const earlier = await importHmacKey(secret);
    expect(await nodeHashes.hmacBase64url(earlier, 'parent')).toBe(await nodeHashes.hmacBase64url(await nodeHashes.importHmacKey(secret), 'parent'));
  });
});

describe('node:crypto RS256 access tokens', () => {
  let jose: SigningKeys;
  let node: SigningKeys;
  const settings = { issuer: 'https://auth.example.com', audience: 'authgate', ttlSeconds: 900 };
  const claims = { sub: 'user-1', sid: 'session-1', jti: 'jti-1', role: 'ADMIN' as const, email: 'ünï@example.com', amr: ['pwd', 'otp'] };
  const nowMs = Date.UTC(2026, 10, 30, 12, 0, 0);

  beforeAll(async () => {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    jose = await loadSigningKeys(await exportPKCS8(privateKey));
    node = { ...jose, signRs256: nodeRs256Sign(jose.current.privateKey) };
  });

  it('are byte for byte the token jose signs', async () => {
    const byJose = await signAccessToken(jose, settings, claims, nowMs);
    const byNode = await signAccessToken(node, settings, claims, nowMs);
    expect(byNode).toBe(byJose);
    const other = await signAccessToken(node, settings, { ...claims, jti: 'jti-2' }, nowMs);
    expect(other).not.toBe(byJose);
  });

  it('are the same whether the event loop signs them or libuv\'s pool does', async () => {
    const byJose = await signAccessToken(jose, settings, claims, nowMs);
    let asked = 0;
    const onLoop = { ...jose, signRs256: nodeRs256Sign(jose.current.privateKey, () => (asked++, false)) };
    const onPool = { ...jose, signRs256: nodeRs256Sign(jose.current.privateKey, () => (asked++, true)) };
    expect(await signAccessToken(onLoop, settings, claims, nowMs)).toBe(byJose);
    expect(await signAccessToken(onPool, settings, claims, nowMs)).toBe(byJose);
    expect(asked).toBe(2);
  });

  it('verify against the published key, with every claim and the pinned header', async () => {
    const token = await signAccessToken(node, settings, claims, nowMs);
    const verified = await verifyAccessToken(jose, settings, token, nowMs);
    expect(verified).toMatchObject({ ...claims, iat: nowMs / 1000, exp: nowMs / 1000 + 900 });
    const { protectedHeader } = await jwtVerify(token, jose.verificationKeys.get(jose.current.kid)!, { currentDate: new Date(nowMs) });
    expect(protectedHeader).toEqual({ alg: 'RS256', typ: 'at+jwt', kid: jose.current.kid });
  });
});
