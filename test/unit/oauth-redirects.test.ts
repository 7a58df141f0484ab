import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { redirectTarget, withParameter } from '../../src/core/oauth/redirects';

const { oauth } = loadConfig(
  { APP_URL: 'https://auth.example.com', OAUTH_REDIRECT_URL: 'https://app.example.com/signed-in', OAUTH_ALLOWED_REDIRECTS: 'https://app.example.com/after-login?tab=1,https://admin.example.com/' },
  'node',
);

describe('where a sign-in may return', () => {
  it('goes to OAUTH_REDIRECT_URL when nothing is asked for, and to an allow-listed URL asked for exactly', () => {
    expect(redirectTarget(oauth, undefined)).toBe('https://app.example.com/signed-in');
    expect(redirectTarget(oauth, 'https://app.example.com/after-login?tab=1')).toBe('https://app.example.com/after-login?tab=1');
    expect(redirectTarget(oauth, 'https://admin.example.com')).toBe('https://admin.example.com/');
    expect(redirectTarget(oauth, 'https://app.example.com/signed-in')).toBe('https://app.example.com/signed-in');
  });

  it('refuses relative, scheme-relative, backslash, lookalike, credential, other-scheme and near-miss URLs', () => {
    const tricks = [
      '//evil.example', '/\\evil.example', '\\\\evil.example', '/signed-in', 'evil.example', 'https:\\\\evil.example',
      'https://app.example.com.evil.example/signed-in', 'https://app.example.com@evil.example/signed-in',
      'https://evil.example/https://app.example.com/signed-in', 'https://xn--pp-8cd.example.com/signed-in', 'https://аpp.example.com/signed-in',
      'javascript:alert(1)//https://app.example.com/signed-in', 'data:text/html,<script>alert(1)</script>',
      'http://app.example.com/signed-in', 'https://app.example.com:8443/signed-in', 'https://app.example.com/signed-in/../evil',
      'https://app.example.com/signed-in/extra', 'https://app.example.com/signed-in?next=//evil', 'https://app.example.com/signed-in#frag',
      'https://app.example.com/after-login', 'https://app.example.com/after-login?tab=2', '',
    ];
    for (const trick of tricks) expect(redirectTarget(oauth, trick), trick).toBeNull();
  });

  it("sets the code or the error on the return URL, keeping the app's own parameters and dropping stale ones", () => {
    expect(withParameter('https://app.example.com/after-login?tab=1', 'code', 'abc')).toBe('https://app.example.com/after-login?tab=1&code=abc');
    expect(withParameter('https://app.example.com/x?code=old&error=old', 'error', 'invalid_state')).toBe('https://app.example.com/x?error=invalid_state');
  });
});
