// Device labels for the sessions list and default passkey names, from the User-Agent: "Chrome 120 on macOS (desktop)".
// The labels are the ones bowser 2.15 gave (this replaces it: 36 KiB of the Workers bundle), names included ("Microsoft
// Edge", "Samsung Internet for Android", "Chrome OS"), so a passkey named before reads like one named now. The rules
// are bowser's, in its order, for the browsers and systems that matter here; an agent none of them knows gets
// bowser's last resort (the product token before a "(…)" part: "MyApp 2 on iOS") or "Unknown client" (curl).

/** bowser's version pattern: two digits at least ("Firefox/9" has no version for it either). */
const V = String.raw`(\d+(?:\.?_?\d+)+)`;
const re = (source: string) => new RegExp(source, 'i');
const VERSION = re(String.raw`version\/${V}`);
const ANDROID = /^(?!.*like android).*android/i;
const FIREFOX_ON_IPAD = /Macintosh.* FxiOS.*\//;
const PRODUCT_TOKEN = /^[A-Za-z][\w .+-]{0,63}$/;

/** Test, name, then where the version is (the first pattern that matches). First rule that matches wins. */
const BROWSERS: readonly (readonly [RegExp, string, readonly RegExp[]])[] = [
  [/opera/i, 'Opera', [VERSION, re(String.raw`opera[\s/]${V}`)]],
  [/opr\/|opios/i, 'Opera', [/(?:opr|opios)[\s/](\S+)/i, VERSION]],
  [/samsungbrowser/i, 'Samsung Internet for Android', [VERSION, re(String.raw`samsungbrowser[\s/]${V}`)]],
  [/whale/i, 'NAVER Whale Browser', [VERSION, re(String.raw`whale[\s/]${V}`)]],
  [/focus/i, 'Focus', [re(String.raw`focus[\s/]${V}`), VERSION]],
  [/opt\/\d+(?:.?_?\d+)+/i, 'Opera Touch', [re(String.raw`opt[\s/]${V}`), VERSION]],
  [/yabrowser/i, 'Yandex Browser', [re(String.raw`yabrowser[\s/]${V}`), VERSION]],
  [/ucbrowser/i, 'UC Browser', [VERSION, re(String.raw`ucbrowser[\s/]${V}`)]],
  [/micromessenger/i, 'WeChat', [re(String.raw`micromessenger[\s/]${V}`), VERSION]],
  [/msie|trident/i, 'Internet Explorer', [re(String.raw`(?:msie |rv:)${V}`)]],
  [/\sedg\//i, 'Microsoft Edge', [re(String.raw`\sedg\/${V}`)]],
  [/edg(?:[ea]|ios)\//i, 'Microsoft Edge', [re(String.raw`edg(?:[ea]|ios)\/${V}`)]],
  [/vivaldi/i, 'Vivaldi', [re(String.raw`vivaldi\/${V}`)]],
  [/silk/i, 'Amazon Silk', [re(String.raw`silk\/${V}`)]],
  [/firefox|iceweasel|fxios/i, 'Firefox', [re(String.raw`(?:firefox|iceweasel|fxios)[\s/]${V}`)]],
  [/electron/i, 'Electron', [re(String.raw`electron\/${V}`)]],
  [/miuibrowser/i, 'Miui', [re(String.raw`miuibrowser[\s/]${V}`)]],
  [/\sddg\/[\d.]+$/i, 'DuckDuckGo', [/\sddg\/([\d.]+)$/i]],
  [/chromium/i, 'Chromium', [re(String.raw`chromium[\s/]${V}`), VERSION]],
  [/chrome|crios|crmo/i, 'Chrome', [re(String.raw`(?:chrome|crios|crmo)\/${V}`)]],
  [/GSA/i, 'Google Search', [re(String.raw`GSA\/${V}`)]],
  [ANDROID, 'Android Browser', [VERSION]],
  [/safari|applewebkit/i, 'Safari', [VERSION]],
];

/** First rule that matches wins: "like Mac OS X" in an iPhone's agent is not macOS, Chrome OS says no "Linux". */
const SYSTEMS: readonly (readonly [RegExp, string])[] = [
  [/windows phone/i, 'Windows Phone'],
  [/windows /i, 'Windows'],
  [FIREFOX_ON_IPAD, 'iOS'],
  [/macintosh/i, 'macOS'],
  [/ipod|iphone|ipad/i, 'iOS'],
  [ANDROID, 'Android'],
  [/tizen/i, 'Tizen'],
  [/linux/i, 'Linux'],
  [/CrOS/, 'Chrome OS'],
];

interface Client {
  name: string;
  version: string;
}

function browserOf(userAgent: string): Client {
  for (const [test, name, versions] of BROWSERS) {
    if (!test.test(userAgent)) continue;
    for (const pattern of versions) {
      const version = pattern.exec(userAgent)?.[1];
      if (version) return { name, version };
    }
    return { name, version: '' };
  }
  // bowser's last resort: "Name/version (details…" or "Name/version rest"; a bare "Mozilla/5.0" names nothing.
  const match = (userAgent.includes('(') ? /^(.*)\/([^/]*)[ \t]\((.*)/ : /^(.*)\/([^/]*) /).exec(userAgent);
  const name = match?.[1] ?? '';
  // Only a product token makes a label ("MyApp"); "Mozilla" names nothing, and junk would be shown and stored as is.
  if (name.toLowerCase() === 'mozilla' || !PRODUCT_TOKEN.test(name)) return { name: '', version: '' };
  return { name, version: match?.[2] ?? '' };
}

function kindOf(userAgent: string, system: string | undefined): string | undefined {
  if (/ipad|kftt build|silk|tablet(?! pc)/i.test(userAgent) || FIREFOX_ON_IPAD.test(userAgent)) return 'tablet';
  if (/ipod|iphone/i.test(userAgent) && !/like (?:ipod|iphone)/i.test(userAgent)) return 'mobile';
  if (/[^-]mobi/i.test(userAgent)) return 'mobile';
  if (system === 'Android') return Number(/android[\s/-](\d+)/i.exec(userAgent)?.[1]) >= 3 ? 'tablet' : 'mobile';
  if (/smart-?tv|smarttv|netcast/i.test(userAgent)) return 'tv';
  if (system === 'macOS' || system === 'Windows' || system === 'Linux') return 'desktop';
  return undefined;
}

/** "Chrome 120 on macOS (desktop)" from a User-Agent, for the sessions list; "Unknown device" when it says nothing. */
export function describeDevice(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const browser = browserOf(userAgent);
  const system = SYSTEMS.find(([test]) => test.test(userAgent))?.[1];
  const kind = kindOf(userAgent, system);
  const major = browser.version.split('.')[0];
  const client = browser.name ? `${browser.name}${major ? ` ${major}` : ''}` : 'Unknown client';
  return `${client}${system ? ` on ${system}` : ''}${kind ? ` (${kind})` : ''}`;
}
