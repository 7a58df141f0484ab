import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('the demo page assets', () => {
  it('carry the installed @simplewebauthn/browser bundle, byte for byte', () => {
    expect(() => execFileSync(process.execPath, ['--import', 'tsx', 'scripts/extract-webauthn-browser.ts', '--check'], { stdio: 'pipe' })).not.toThrow();
  });
});
