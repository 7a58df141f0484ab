import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatPhc, parsePhc, PHC_MAX, type Argon2Phc } from '../../src/adapters/password/phc';
import { EmailSchema } from '../../src/http/schemas/common';
import { emailLocalPart, normalizeEmail } from '../../src/core/email';
import { checkPasswordPolicy, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../src/core/password-policy';
import { hostileString } from '../support/openapi-fuzz';

// Issue 14: properties of the input handling every request goes through, over generated input (fixed seed, so a
// failure replays; fast-check prints the seed and the shrunk counterexample).

const runs = { seed: 14_2026, numRuns: 400 };
const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.string({ unit: 'grapheme', maxLength: 60 }), hostileString());
// Characters whose case or compatibility forms differ: where normalisation bugs live.
const trickyChar = fc.constantFrom('A', 'Z', 'İ', 'ı', 'ẞ', 'ß', 'Ω', 'Ω', 'K', 'Å', 'ﬁ', 'Ａ', '＠', '．', 'ｅ', '\u00A0', '\u2000', '\u3000', '\uFE70', '\u0301', 'é', 'é', 'Σ', 'ς', 'ǅ', '①', '㎏', '\u200B');
const trickyText = fc.array(fc.oneof(trickyChar, fc.constantFrom('a', 'b', '@', '.', ' ')), { maxLength: 20 }).map((chars) => chars.join(''));

describe('e-mail normalisation (API.md: trimmed, NFKC, lower-cased)', () => {
  it('is idempotent: the stored form normalises to itself, so a user can sign in with what mail was sent to', () => {
    fc.assert(fc.property(fc.oneof(anyText, trickyText), (raw) => normalizeEmail(normalizeEmail(raw)) === normalizeEmail(raw)), runs);
  });

  it('gives a trimmed, NFKC, lower-case result', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, trickyText), (raw) => {
        const email = normalizeEmail(raw);
        expect(email).toBe(email.trim());
        expect(email).toBe(email.normalize('NFKC'));
        expect(email).toBe(email.toLowerCase());
      }),
      runs,
    );
  });

  it('folds case, width and surrounding space: every spelling of an address is one account', () => {
    const address = fc.tuple(fc.stringMatching(/^[a-z0-9]([a-z0-9._-]{0,20}[a-z0-9])?$/), fc.domain()).map(([local, domain]) => `${local}@${domain}`);
    const spelling = (email: string) =>
      fc.tuple(fc.array(fc.boolean(), { minLength: email.length, maxLength: email.length }), fc.constantFrom('', ' ', '\t', '\u00A0', '\u3000'), fc.boolean()).map(([upper, pad, wide]) => {
        const cased = [...email].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('');
        const widened = wide ? cased.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)) : cased;
        return `${pad}${widened}${pad}`;
      });
    fc.assert(fc.property(address.chain((email) => fc.tuple(fc.constant(email), spelling(email))), ([email, variant]) => normalizeEmail(variant) === email), runs);
  });

  it('accepts through the request schema only what normalises to a valid address, never with a control character', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, trickyText, fc.emailAddress()), (raw) => {
        const parsed = EmailSchema.safeParse(raw);
        if (/[\u0000-\u001f\u007f]/.test(raw)) expect(parsed.success).toBe(false);
        if (parsed.success) {
          expect(parsed.data).toBe(normalizeEmail(raw));
          expect(parsed.data.length).toBeLessThanOrEqual(254);
          expect(EmailSchema.safeParse(parsed.data).data).toBe(parsed.data);
        }
      }),
      runs,
    );
  });
});

describe('password policy (API.md: 12 to 128 characters after NFKC, not common, not the e-mail local part)', () => {
  const notCommon = () => false;
  const codePoints = (s: string) => [...s.normalize('NFKC')].length;

  it('never throws, and every detail names the field', () => {
    fc.assert(
      fc.property(anyText, anyText, (password, email) => {
        for (const detail of checkPasswordPolicy(password, email, notCommon, 'newPassword')) expect(detail.path).toBe('newPassword');
      }),
      runs,
    );
  });

  it('decides length by code points after NFKC, whatever the spelling', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 150 }), (password) => {
        const problems = checkPasswordPolicy(password, 'someone@example.com', notCommon).map((d) => d.message);
        const length = codePoints(password);
        expect(problems.some((m) => m.includes('at least'))).toBe(length < PASSWORD_MIN_LENGTH);
        expect(problems.some((m) => m.includes('at most'))).toBe(length > PASSWORD_MAX_LENGTH);
        // NFC and NFD spellings are one password.
        expect(checkPasswordPolicy(password.normalize('NFD'), 'someone@example.com', notCommon)).toEqual(checkPasswordPolicy(password.normalize('NFC'), 'someone@example.com', notCommon));
      }),
      runs,
    );
  });

  it('refuses any password containing the local part (3+ characters) in any case, and accepts a long unrelated one', () => {
    const local = fc.stringMatching(/^[a-z0-9]{3,12}$/);
    fc.assert(
      fc.property(local, fc.string({ minLength: 0, maxLength: 20 }), fc.string({ minLength: 0, maxLength: 20 }), fc.boolean(), (name, before, after, upper) => {
        const email = normalizeEmail(`${name}@example.com`);
        const password = `${before}${upper ? name.toUpperCase() : name}${after}`.padEnd(PASSWORD_MIN_LENGTH, '~');
        if (codePoints(password) > PASSWORD_MAX_LENGTH) return;
        expect(checkPasswordPolicy(password, email, notCommon).map((d) => d.message)).toContain('Password must not contain your e-mail address');
        expect(emailLocalPart(email)).toBe(name);
      }),
      runs,
    );
    expect(checkPasswordPolicy('violet-harbour-lantern-42', 'ada@example.com', notCommon)).toEqual([]);
  });

  it('refuses what the common-password check flags, after NFKC and lower-casing', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 12, maxLength: 40 }), (password) => {
        const seen: string[] = [];
        const problems = checkPasswordPolicy(password, 'x@example.com', (normalized) => (seen.push(normalized), true));
        if (codePoints(password) < PASSWORD_MIN_LENGTH || codePoints(password) > PASSWORD_MAX_LENGTH) return;
        expect(seen).toEqual([password.normalize('NFKC').toLowerCase()]);
        expect(problems.map((d) => d.message)).toContain('Password is too common');
      }),
      runs,
    );
  });
});

describe('PHC strings (src/adapters/password/phc.ts)', () => {
  const limits = { ...PHC_MAX };
  const phc: fc.Arbitrary<Argon2Phc> = fc
    .record({
      parallelism: fc.integer({ min: 1, max: PHC_MAX.parallelism }),
      iterations: fc.integer({ min: 1, max: PHC_MAX.iterations }),
      salt: fc.uint8Array({ minLength: 8, maxLength: 64 }),
      hash: fc.uint8Array({ minLength: 16, maxLength: 64 }),
      memoryFactor: fc.double({ min: 0, max: 1, noNaN: true }),
    })
    .map(({ parallelism, iterations, salt, hash, memoryFactor }) => {
      const minMemory = 8 * parallelism;
      const memoryKib = minMemory + Math.floor(memoryFactor * (PHC_MAX.memoryKib - minMemory));
      return { params: { memoryKib, iterations, parallelism }, salt, hash };
    });

  it('round-trips: what formatPhc writes, parsePhc reads back exactly, and formats to the same string', () => {
    fc.assert(
      fc.property(phc, (value) => {
        const text = formatPhc(value);
        const parsed = parsePhc(text, limits);
        expect(parsed).not.toBeNull();
        expect(parsed!.params).toEqual(value.params);
        expect([...parsed!.salt]).toEqual([...value.salt]);
        expect([...parsed!.hash]).toEqual([...value.hash]);
        expect(formatPhc(parsed!)).toBe(text);
      }),
      runs,
    );
  });

  it('answers null, never throws, for garbage and for any one-character change that breaks the format', () => {
    const mutation = phc.chain((value) => {
      const text = formatPhc(value);
      return fc.tuple(fc.constant(text), fc.nat({ max: text.length - 1 }), fc.oneof(fc.string({ unit: 'binary', maxLength: 3 }), fc.constantFrom('', '$', '=', '-', '_', ',', '0', ' ', '\u0000')));
    });
    fc.assert(
      fc.property(fc.oneof(anyText, fc.string({ unit: fc.constantFrom('$', 'a', 'r', 'g', 'o', 'n', '2', 'i', 'd', 'v', '=', '1', '9', 'm', 't', 'p', ',', 'A', '/', '+'), maxLength: 120 })), (garbage) => {
        const parsed = parsePhc(garbage, limits);
        if (parsed) expect(formatPhc(parsed)).toBe(garbage); // only a canonical string parses
      }),
      runs,
    );
    fc.assert(
      fc.property(mutation, ([text, at, insert]) => {
        const mutated = text.slice(0, at) + insert + text.slice(at + 1);
        const parsed = parsePhc(mutated, limits);
        // Either refused, or a different but canonical PHC string (a changed digit or base64 character).
        if (parsed) expect(formatPhc(parsed)).toBe(mutated);
      }),
      runs,
    );
    for (const value of [undefined, null, 42, {}, 'x'.repeat(10_000)]) expect(parsePhc(value as never, limits)).toBeNull();
  });

  it('refuses parameters beyond the limits, so a hostile stored hash cannot make us allocate gigabytes', () => {
    fc.assert(
      fc.property(phc, fc.constantFrom('memoryKib', 'iterations', 'parallelism'), fc.integer({ min: 1, max: 1_000_000 }), (value, param, excess) => {
        const tooMuch = { ...value, params: { ...value.params, [param]: limits[param] + excess } };
        expect(parsePhc(formatPhc(tooMuch), limits)).toBeNull();
      }),
      runs,
    );
  });
});
