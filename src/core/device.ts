import Bowser from 'bowser';

/** "Chrome 120 on macOS (desktop)" from a User-Agent, for the sessions list; "Unknown device" when it says nothing. */
export function describeDevice(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const { browser, os, platform } = Bowser.parse(userAgent);
  const major = browser.version?.split('.')[0];
  const client = browser.name ? `${browser.name}${major ? ` ${major}` : ''}` : 'Unknown client';
  const system = os.name ? ` on ${os.name}` : '';
  const kind = platform.type ? ` (${platform.type})` : '';
  return `${client}${system}${kind}`;
}
