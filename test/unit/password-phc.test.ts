import { describe, expect, it } from 'vitest';
import { PHC_MAX, formatPhc, parsePhc, phcLimits } from '../../src/adapters/password/phc';

const current = { memoryKib: 19456, iterations: 2, parallelism: 1 };
const limits = phcLimits(current);
// A real node:crypto.argon2 hash of 'correct horse battery staple ✓'.
const known = '$argon2id$v=19$m=19456,t=2,p=1$Y+rK1gdjjG1uiQaLxWAsBA$onQ64pF7VRifqxFT1YQpOD0HtfMSlJr/UIfTjHlGQXU';
const [, , , , salt = '', hash = ''] = known.split('$');
const withParams = (params: string) => `$argon2id$v=19$${params}$${salt}$${hash}`;

describe('Argon2id PHC strings', () => {
  it('parses a standard string into its parameters, salt and hash, and formats it back unchanged', () => {
    const parsed = parsePhc(known, limits);
    expect(parsed?.params).toEqual(current);
    expect(parsed?.salt).toHaveLength(16);
    expect(parsed?.hash).toHaveLength(32);
    expect(formatPhc(parsed!)).toBe(known);
  });

  it('accepts the parameters of an older system', () => {
    expect(parsePhc(withParams('m=65536,t=3,p=4'), limits)?.params).toEqual({ memoryKib: 65536, iterations: 3, parallelism: 4 });
  });

  it('refuses memory, passes or lanes beyond the bounds, so a stored hash cannot demand gigabytes', () => {
    expect(parsePhc(withParams(`m=${PHC_MAX.memoryKib},t=2,p=1`), limits)).not.toBeNull();
    expect(parsePhc(withParams(`m=${PHC_MAX.memoryKib + 1},t=2,p=1`), limits)).toBeNull();
    expect(parsePhc(withParams('m=4194304,t=2,p=1'), limits)).toBeNull();
    expect(parsePhc(withParams(`m=19456,t=${PHC_MAX.iterations + 1},p=1`), limits)).toBeNull();
    expect(parsePhc(withParams(`m=19456,t=2,p=${PHC_MAX.parallelism + 1}`), limits)).toBeNull();
    expect(parsePhc(withParams('m=9999999999,t=2,p=1'), limits)).toBeNull();
  });

  it('raises the bounds to the configured parameters when those are higher', () => {
    const big = phcLimits({ memoryKib: 524288, iterations: 20, parallelism: 1 });
    expect(parsePhc(withParams('m=524288,t=20,p=1'), big)).not.toBeNull();
    expect(parsePhc(withParams('m=524288,t=20,p=1'), limits)).toBeNull();
  });

  it('refuses parameters Argon2 itself does not allow', () => {
    for (const params of ['m=19456,t=0,p=1', 'm=19456,t=2,p=0', 'm=0,t=2,p=1', 'm=31,t=2,p=4', 'm=7,t=1,p=1']) {
      expect(parsePhc(withParams(params), limits), params).toBeNull();
    }
  });

  it('refuses other algorithms, versions and spellings', () => {
    const variants = [
      known.replace('$argon2id$', '$argon2i$'),
      known.replace('$argon2id$', '$argon2d$'),
      known.replace('$argon2id$', '$ARGON2ID$'),
      known.replace('$v=19$', '$v=16$'),
      known.replace('$v=19$', '$'),
      withParams('t=2,m=19456,p=1'),
      withParams('m=19456,t=2'),
      withParams('m=019456,t=2,p=1'),
      withParams('m=+19456,t=2,p=1'),
      withParams('m=19456,t=2,p=1,keyid=abc'),
      withParams('m=19456, t=2, p=1'),
      `${known}\n`,
      `${known}$`,
    ];
    for (const phc of variants) expect(parsePhc(phc, limits), phc).toBeNull();
  });

  it('refuses base64 that is padded, URL-safe, non-canonical, truncated or of the wrong length', () => {
    const variants = [
      `$argon2id$v=19$m=19456,t=2,p=1$${salt}==$${hash}`,
      `$argon2id$v=19$m=19456,t=2,p=1$${salt}$${hash}=`,
      `$argon2id$v=19$m=19456,t=2,p=1$${salt.replace('+', '-')}$${hash}`,
      `$argon2id$v=19$m=19456,t=2,p=1$${salt}$${hash.replace('/', '_')}`,
      // 'B' in the last place of a 22-character salt sets bits that encode nothing.
      `$argon2id$v=19$m=19456,t=2,p=1$${salt.slice(0, -1)}B$${hash}`,
      `$argon2id$v=19$m=19456,t=2,p=1$${salt}$${hash.slice(0, -1)}`,
      `$argon2id$v=19$m=19456,t=2,p=1$${salt}$${hash.slice(0, -2)}`,
      `$argon2id$v=19$m=19456,t=2,p=1$AAAAAAA$${hash}`,
      `$argon2id$v=19$m=19456,t=2,p=1$${salt}$AAAAAAAAAAA`,
      `$argon2id$v=19$m=19456,t=2,p=1$${'A'.repeat(100)}$${hash}`,
      `$argon2id$v=19$m=19456,t=2,p=1$${salt}$${'A'.repeat(100)}`,
      `$argon2id$v=19$m=19456,t=2,p=1$$${hash}`,
      `$argon2id$v=19$m=19456,t=2,p=1$${salt}$`,
      known.slice(0, 40),
      '',
    ];
    for (const phc of variants) expect(parsePhc(phc, limits), phc).toBeNull();
  });
});
