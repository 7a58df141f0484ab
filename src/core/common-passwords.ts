// Placeholder list until the maintained blocklist package is wired in (issue 3).
const COMMON = new Set<string>(['password1234', '123456789012', 'qwertyuiopas']);

export function isCommonPassword(normalizedLowercase: string): boolean {
  return COMMON.has(normalizedLowercase);
}
