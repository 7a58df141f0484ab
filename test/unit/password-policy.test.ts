import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isCommonPassword } from '../../src/core/common-passwords';
import { checkPasswordPolicy } from '../../src/core/password-policy';

const check = (password: string, email = 'ada@example.com') => checkPasswordPolicy(password, email, isCommonPassword);

describe('password policy', () => {
  it('accepts 12 to 128 characters with no composition rules', () => {
    expect(check('aaaa bbbb cc')).toEqual([]);
    expect(check('x'.repeat(128))).toEqual([]);
  });

  it('refuses 11 characters and 129 characters, naming the field', () => {
    expect(check('a'.repeat(11))).toEqual([{ path: 'password', message: expect.stringContaining('at least 12') }]);
    expect(check('a'.repeat(129))).toEqual([{ path: 'password', message: expect.stringContaining('at most 128') }]);
  });

  it('counts code points after NFKC, so an emoji or a composed letter is one character', () => {
    expect(check('🔑'.repeat(12))).toEqual([]);
    expect(check('e\u0301'.repeat(6))).not.toEqual([]); // NFKC composes é: 6 characters, too short
  });

  it('refuses known-common passwords in any case', () => {
    expect(isCommonPassword('1qaz2wsx3edc')).toBe(true);
    expect(check('1QAZ2WSX3EDC')).toEqual([{ path: 'password', message: 'Password is too common' }]);
  });

  it("refuses a password containing the e-mail's local part", () => {
    expect(check('my-name-is-adalovelace!', 'adalovelace@example.com')).toEqual([
      { path: 'password', message: 'Password must not contain your e-mail address' },
    ]);
  });

  it('keeps the committed common-password list in step with the installed package', () => {
    expect(() => execFileSync(process.execPath, ['--import', 'tsx', 'scripts/extract-common-passwords.ts', '--check'], { stdio: 'pipe' })).not.toThrow();
  });
});
