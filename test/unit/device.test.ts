// The device label a user reads in their sessions list (and a passkey's default name), from real User-Agent strings.
// Every label below is the one bowser 2.15 gave for the same string, so sessions and passkeys named before it was
// replaced read the same.
import { describe, expect, it } from 'vitest';
import { describeDevice } from '../../src/core/device';

const cases: [label: string, userAgent: string][] = [
  // Chrome
  ['Chrome 131 on Windows (desktop)', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'],
  ['Chrome 109 on Windows (desktop)', 'Mozilla/5.0 (Windows NT 6.1; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/109.0.0.0 Safari/537.36'],
  ['Chrome 120 on macOS (desktop)', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36'],
  ['Chrome 131 on Linux (desktop)', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'],
  ['Chrome 131 on Chrome OS', 'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'],
  ['Chrome 131 on Android (mobile)', 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36'],
  ['Chrome 131 on Android (tablet)', 'Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'],
  ['Chrome 131 on Android (mobile)', 'Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A.240805.005; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/131.0.6778.81 Mobile Safari/537.36'],
  ['Chrome 131 on iOS (mobile)', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1'],
  ['Chrome 131 on iOS (tablet)', 'Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1'],
  // Edge
  ['Microsoft Edge 131 on Windows (desktop)', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.51'],
  ['Microsoft Edge 131 on macOS (desktop)', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.51'],
  ['Microsoft Edge 131 on Android (mobile)', 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36 EdgA/131.0.2903.48'],
  ['Microsoft Edge 131 on iOS (mobile)', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 EdgiOS/131.2903.49 Mobile/15E148 Safari/605.1.15'],
  ['Microsoft Edge 18 on Windows (desktop)', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.102 Safari/537.36 Edge/18.19582'],
  // Firefox
  ['Firefox 133 on Windows (desktop)', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0'],
  ['Firefox 133 on macOS (desktop)', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:133.0) Gecko/20100101 Firefox/133.0'],
  ['Firefox 133 on Linux (desktop)', 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0'],
  ['Firefox 128 on Android (mobile)', 'Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0'],
  ['Firefox 133 on Android (tablet)', 'Mozilla/5.0 (Android 14; Tablet; rv:133.0) Gecko/133.0 Firefox/133.0'],
  ['Firefox 133 on iOS (mobile)', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/133.0 Mobile/15E148 Safari/605.1.15'],
  ['Firefox 133 on iOS (tablet)', 'Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/133.0 Mobile/15E148 Safari/605.1.15'],
  // An iPad asks for desktop sites with a Mac's agent; Firefox's still says FxiOS.
  ['Firefox 133 on iOS (tablet)', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/133.0 Safari/605.1.15'],
  // Safari
  ['Safari 18 on macOS (desktop)', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15'],
  ['Safari 18 on iOS (mobile)', 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1'],
  ['Safari 18 on iOS (tablet)', 'Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1'],
  ['Safari 15 on iOS (mobile)', 'Mozilla/5.0 (iPod touch; CPU iPhone OS 15_8 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/15.6 Mobile/15E148 Safari/604.1'],
  // An app's web view on iOS: WebKit without a version.
  ['Safari on iOS (mobile)', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148'],
  // Opera
  ['Opera 115 on Windows (desktop)', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 OPR/115.0.0.0'],
  ['Opera 115 on macOS (desktop)', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 OPR/115.0.0.0'],
  ['Opera 86 on Android (mobile)', 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36 OPR/86.0.0.0'],
  ['Opera Touch 5 on iOS (mobile)', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1 OPT/5.1.0'],
  // Samsung Internet
  ['Samsung Internet for Android 27 on Android (mobile)', 'Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/27.0 Chrome/125.0.0.0 Mobile Safari/537.36'],
  ['Samsung Internet for Android 27 on Android (tablet)', 'Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/27.0 Chrome/125.0.0.0 Safari/537.36'],
  ['Samsung Internet for Android 27 on Linux (desktop)', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/27.0 Chrome/125.0.0.0 Safari/537.36'],
  // Other Chromium browsers keep their own names rather than passing for Chrome.
  ['Vivaldi 7 on Windows (desktop)', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Vivaldi/7.0.3495.18'],
  ['Yandex Browser 24 on Windows (desktop)', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 YaBrowser/24.12.0.0 Safari/537.36'],
  ['Electron 32 on macOS (desktop)', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) MyApp/1.0.0 Chrome/128.0.6613.36 Electron/32.0.1 Safari/537.36'],
  ['Internet Explorer 11 on Windows (desktop)', 'Mozilla/5.0 (Windows NT 10.0; Trident/7.0; rv:11.0) like Gecko'],
  // Not browsers: a product token before a "(…)" part names the client; otherwise it is unknown.
  ['MyApp 2 on iOS (mobile)', 'MyApp/2.3.1 (iPhone; iOS 17.0; Scale/3.00)'],
  ['Unknown client', 'curl/8.5.0'],
  ['Unknown client', 'Wget/1.21.4'],
  ['Unknown client', 'python-requests/2.32.3'],
  ['Unknown client', 'okhttp/4.12.0'],
  ['Unknown client', 'node'],
  ['Unknown client', 'Mozilla/5.0'],
  ['Unknown client', 'Mozilla/5.0 (compatible; SomeCrawler/1.0)'],
];

describe('the device label of a session', () => {
  it.each(cases)('is "%s" for %s', (label, userAgent) => {
    expect(describeDevice(userAgent)).toBe(label);
  });

  it('is "Unknown device" without a User-Agent', () => {
    expect(describeDevice(null)).toBe('Unknown device');
    expect(describeDevice('')).toBe('Unknown device');
  });

  it('labels hostile or junk agents "Unknown client" rather than echoing them (labels are shown and stored)', () => {
    expect(describeDevice('a/'.repeat(256))).toBe('Unknown client');
    expect(describeDevice(`${'/ '.repeat(255)}(`)).toBe('Unknown client');
    expect(describeDevice(`${'x'.repeat(80)}/1 (iPhone)`)).toBe('Unknown client on iOS (mobile)');
    expect(describeDevice(`Mozilla/5.0 ${'android '.repeat(62)}`)).toBe('Android Browser on Android (mobile)');
    expect(describeDevice('MyApp/2.1 (iPhone; iOS 17.4)')).toBe('MyApp 2 on iOS (mobile)');
  });
});
