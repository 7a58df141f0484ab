import { COMMON_PASSWORDS } from './common-passwords.generated';

const common = new Set(COMMON_PASSWORDS);

/** NIST SP 800-63B §5.1.1.2: refuse passwords known from breach corpora. Takes the NFKC, lower-cased password. */
export function isCommonPassword(normalizedLowercase: string): boolean {
  return common.has(normalizedLowercase);
}
