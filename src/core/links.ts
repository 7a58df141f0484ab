// Links in mail are built from APP_URL only, never from the request's Host header (host-header poisoning of reset
// links). The token travels in the fragment, which browsers never send to servers or in Referer headers.

export type LinkPurpose = 'verify-email' | 'reset-password' | 'forgot-password';

export function accountLink(appUrl: string, purpose: LinkPurpose, token?: string): string {
  return `${appUrl}/demo#${purpose}${token ? `=${encodeURIComponent(token)}` : ''}`;
}
