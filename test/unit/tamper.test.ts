import { base64url } from 'jose';
import { describe, expect, it } from 'vitest';
import { flipByte, tamperJwt } from '../support/tamper';

// The flaky "tampered token" test: editing the last base64url characters of an RS256 signature can leave its bytes
// unchanged. The shared helper changes a decoded byte, so a tampered token always differs where a verifier looks.

const signatureEndingIn = (tail: number[]) => base64url.encode(Uint8Array.from([...new Array(256 - tail.length).fill(7), ...tail]));
const equalBytes = (a: string, b: string) => Buffer.from(base64url.decode(a)).equals(Buffer.from(base64url.decode(b)));

describe('tampering with base64url segments', () => {
  it('shows why text edits are unsafe: AA -> AB at the end of a 256-byte signature decodes to the same bytes', () => {
    const signature = signatureEndingIn([0]);
    expect(signature.endsWith('AA')).toBe(true);
    const textEdit = `${signature.slice(0, -2)}AB`;
    expect(textEdit).not.toBe(signature);
    expect(equalBytes(textEdit, signature)).toBe(true);
  });

  it('always changes the decoded bytes, whatever the segment ends with', () => {
    for (const tail of [[0], [0, 0], [255], [1, 2, 3]]) {
      const signature = signatureEndingIn(tail);
      for (const index of [0, 100, -1]) expect(equalBytes(flipByte(signature, index), signature)).toBe(false);
    }
    const token = `eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.${signatureEndingIn([0])}`;
    for (const part of [0, 1, 2] as const) {
      const parts = tamperJwt(token, part).split('.');
      expect(equalBytes(parts[part]!, token.split('.')[part]!)).toBe(false);
      expect(parts.filter((_, i) => i !== part)).toEqual(token.split('.').filter((_, i) => i !== part));
    }
  });
});
