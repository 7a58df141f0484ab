import { emailLocalPart } from './email';
import type { ErrorDetail } from './errors';

// API.md password policy (NIST SP 800-63B §5.1.1.2): length only, no composition rules; known-common passwords and
// passwords containing the e-mail's local part are refused. Length is counted in code points after NFKC, so NFC and
// NFD spellings are one password and nothing is ever truncated.

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

export function checkPasswordPolicy(
  password: string,
  email: string,
  isCommon: (normalized: string) => boolean,
  field = 'password',
): ErrorDetail[] {
  const normalized = normalizePassword(password);
  const length = [...normalized].length;
  if (length < PASSWORD_MIN_LENGTH) return [{ path: field, message: `Password must be at least ${PASSWORD_MIN_LENGTH} characters` }];
  if (length > PASSWORD_MAX_LENGTH) return [{ path: field, message: `Password must be at most ${PASSWORD_MAX_LENGTH} characters` }];
  const problems: ErrorDetail[] = [];
  if (isCommon(normalized.toLowerCase())) problems.push({ path: field, message: 'Password is too common' });
  const local = emailLocalPart(email);
  if (local.length >= 3 && normalized.toLowerCase().includes(local)) {
    problems.push({ path: field, message: 'Password must not contain your e-mail address' });
  }
  return problems;
}
