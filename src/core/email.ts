// API.md: e-mails are trimmed, NFKC-normalised and lower-cased before use; the stored form is what mail goes to.
// NFKC before trimming: it can turn a character into whitespace (U+FE70, an Arabic presentation form, becomes
// " \u064B"), and trimming first left that space in, so the stored form did not normalise to itself (found by the
// idempotence property in test/unit/input-properties.test.ts).
export function normalizeEmail(raw: string): string {
  return raw.normalize('NFKC').trim().toLowerCase();
}

/** The part before the last @, used by the password policy. */
export function emailLocalPart(email: string): string {
  const at = email.lastIndexOf('@');
  return at > 0 ? email.slice(0, at) : email;
}
