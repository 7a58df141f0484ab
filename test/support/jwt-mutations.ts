import fc from 'fast-check';
import { base64url } from 'jose';

// Random mutations of a compact JWS, for the property tests of the access-token verifier (test/unit) and of the
// routes that take one (test/http/fuzz.test.ts): bits flipped in the decoded header, payload or signature,
// truncation, inserted or dropped characters and dots, re-encoding, alg swaps and alg none, rewritten claims.
// A mutation that needs to decode a segment that is not base64url throws; callers skip it.

const enc = new TextEncoder();
const dec = new TextDecoder();

export type Mutation = (token: string) => string;

function bytesOf(segment: string): Uint8Array {
  return base64url.decode(segment);
}

/** Flips `mask` bits of byte `at` of decoded segment `part`: always a change of what the verifier reads. */
const flipBits = (part: number, at: number, mask: number): Mutation => (token) => {
  const parts = token.split('.');
  const bytes = bytesOf(parts[part]!);
  const index = at % bytes.length;
  bytes[index] = bytes[index]! ^ mask;
  parts[part] = base64url.encode(bytes);
  return parts.join('.');
};

/** Rewrites the decoded JSON header or payload (the signature no longer covers it). */
const rewriteJson = (part: 0 | 1, change: (value: Record<string, unknown>) => void): Mutation => (token) => {
  const parts = token.split('.');
  const value = JSON.parse(dec.decode(bytesOf(parts[part]!))) as Record<string, unknown>;
  change(value);
  parts[part] = base64url.encode(enc.encode(JSON.stringify(value)));
  return parts.join('.');
};

export const jwtMutations: fc.Arbitrary<{ name: string; mutate: Mutation }> = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 2 }), fc.nat(), fc.integer({ min: 1, max: 255 })).map(([part, at, mask]) => ({ name: `flip ${mask} in byte ${at} of part ${part}`, mutate: flipBits(part, at, mask) })),
  fc.nat().map((cut) => ({ name: `truncate ${cut}`, mutate: (t: string) => t.slice(0, cut % t.length) })),
  fc.tuple(fc.nat(), fc.constantFrom('.', '..', '=', ' ', '+', '/', '\u0000', 'A')).map(([at, text]) => ({ name: `insert ${JSON.stringify(text)} at ${at}`, mutate: (t: string) => t.slice(0, at % t.length) + text + t.slice(at % t.length) })),
  fc.nat().map((at) => ({ name: `drop character ${at}`, mutate: (t: string) => t.slice(0, at % t.length) + t.slice((at % t.length) + 1) })),
  fc.constantFrom('none', 'None', 'NONE', 'HS256', 'RS384', 'RS512', 'PS256', 'ES256', 'EdDSA', '', 'rs256').map((alg) => ({ name: `alg ${alg}`, mutate: rewriteJson(0, (h) => void (h.alg = alg)) })),
  fc.constantFrom('none', 'None').map((alg) => ({ name: `alg ${alg} without signature`, mutate: (t: string) => `${rewriteJson(0, (h) => void (h.alg = alg))(t).split('.').slice(0, 2).join('.')}.` })),
  fc.constantFrom<[string, unknown]>(['typ', 'JWT'], ['typ', 'at+JWT'], ['kid', 'other'], ['kid', 42], ['crit', ['exp']], ['jku', 'https://evil.example/jwks'], ['b64', false]).map(([key, value]) => ({ name: `header ${key}=${JSON.stringify(value)}`, mutate: rewriteJson(0, (h) => void (h[key] = value)) })),
  fc.constantFrom<[string, unknown]>(['role', 'SUPER_ADMIN'], ['sub', 'user-2'], ['exp', 9_999_999_999], ['aud', 'other'], ['iss', 'https://evil.example'], ['amr', ['pwd', 'otp']], ['sid', null]).map(([key, value]) => ({ name: `claim ${key}=${JSON.stringify(value)}`, mutate: rewriteJson(1, (p) => void (p[key] = value)) })),
  fc.constant({ name: 'segments swapped', mutate: (t: string) => t.split('.').reverse().join('.') }),
  fc.constant({ name: 'standard base64 with padding', mutate: (t: string) => t.split('.').map((s) => btoa(String.fromCharCode(...bytesOf(s)))).join('.') }),
  fc.constant({ name: 'extra segment', mutate: (t: string) => `${t}.${t.split('.')[2]}` }),
);


/** `token` after each of `chosen`, skipping any that cannot apply to what the earlier ones left. */
export function applyMutations(token: string, chosen: Array<{ mutate: Mutation }>): string {
  return chosen.reduce((t, m) => {
    try {
      return m.mutate(t);
    } catch {
      return t;
    }
  }, token);
}
