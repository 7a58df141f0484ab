import { describe, expect, it } from 'vitest';
import { constantTimeEqual } from '../../src/adapters/password/equal';

describe('constant-time comparison over WebCrypto', () => {
  it('accepts equal digests and refuses any difference, including one bit and a different length', async () => {
    const a = crypto.getRandomValues(new Uint8Array(32));
    expect(await constantTimeEqual(a, a.slice())).toBe(true);
    for (const index of [0, 15, 31]) {
      const b = a.slice();
      b[index]! ^= 1;
      expect(await constantTimeEqual(a, b)).toBe(false);
    }
    expect(await constantTimeEqual(a, a.slice(0, 31))).toBe(false);
  });
});
