// API.md: e-mails are trimmed, NFKC-normalised and lower-cased before use; the stored form is what mail goes to.
export function normalizeEmail(raw: string): string {
  return raw.trim().normalize('NFKC').toLowerCase();
}

/** The part before the last @, used by the password policy. */
export function emailLocalPart(email: string): string {
  const at = email.lastIndexOf('@');
  return at > 0 ? email.slice(0, at) : email;
}
