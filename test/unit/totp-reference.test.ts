import { describe, expect, it } from 'vitest';
import { base32Decode, hotp, totp } from '../support/totp';

// The tests' own TOTP generator must be right before it can judge the service: RFC 6238 Appendix B and RFC 4226
// Appendix D give the expected codes.
const rfcSecret = new TextEncoder().encode('12345678901234567890');

describe('the reference TOTP generator of the tests', () => {
  it.each([
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ])('gives the RFC 6238 SHA-1 code at %i s: %s', async (seconds, code) => {
    expect(await totp(rfcSecret, seconds * 1000, { digits: 8 })).toBe(code);
  });

  it('gives the RFC 4226 HOTP codes for counters 0 to 9', async () => {
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
    expect(await Promise.all(expected.map((_, counter) => hotp(rfcSecret, counter)))).toEqual(expected);
  });

  it('decodes RFC 4648 base32', () => {
    expect(new TextDecoder().decode(base32Decode('MZXW6YTBOI======'))).toBe('foobar');
    expect(base32Decode('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ')).toEqual(rfcSecret);
  });
});
