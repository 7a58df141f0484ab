import { Hono } from 'hono';
import { SIMPLEWEBAUTHN_BROWSER_JS } from '../assets/simplewebauthn-browser.generated';
import type { AppEnv } from '../env';
import { DEMO_SCRIPT } from '../pages/demo-script';
import { htmlPage } from '../pages/html-page';

// GET /demo: a small page on the API itself. Mail links land here (`#verify-email=`, `#reset-password=`,
// `#forgot-password`); it also registers, logs in (with a password, a passkey or a provider, then a TOTP or backup
// code when MFA is on), enrols MFA (QR code, secret and backup codes shown once), adds passkeys, lists and revokes
// sessions and logs out; its script is pages/demo-script.ts. Tokens live in page memory only, never in storage, and
// a link's token is wiped from the address bar as soon as it is read. Its CSP allows exactly its own scripts and style
// (per-request nonce) and requests to this origin (the page helper, pages/html-page.ts). @simplewebauthn/browser comes
// from this service too (/demo/simplewebauthn-browser.js), never a CDN. It shows a sign-in button for each configured
// OAuth/OpenID provider and is the default OAUTH_REDIRECT_URL: it swaps the `?code=` it comes back with.

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
form{display:grid;gap:.5rem;margin:1rem 0;padding:1rem;border:1px solid #ccc;border-radius:8px}
input,button{font:inherit;padding:.4rem}pre{background:#f4f4f4;padding:1rem;overflow:auto}[hidden]{display:none}
#mfa-qr svg{width:180px;height:180px}#mfa-backup-codes{columns:2;font-family:monospace}#mfa-secret{word-break:break-all}
#session-list button{margin-left:.5rem;padding:.1rem .5rem}
.signed-in #register,.signed-in #login,.signed-in #providers,.signed-in #forgot,.signed-in #reset{display:none}`;

function page(nonce: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>authgate demo</title><style nonce="${nonce}">${STYLE}</style></head><body>
<h1>authgate</h1>
<form id="register"><strong>Register</strong><input name="email" type="email" placeholder="e-mail" required autocomplete="email">
<input name="password" type="password" placeholder="password (12+ characters)" required autocomplete="new-password"><button>Register</button></form>
<form id="login"><strong>Log in</strong><input name="email" type="email" placeholder="e-mail" required autocomplete="email">
<input name="password" type="password" placeholder="password" required autocomplete="current-password"><button>Log in</button>
<button type="button" id="show-forgot">Forgot password?</button>
<button type="button" id="passkey-login">Sign in with a passkey</button></form>
<form id="mfa-login" hidden><strong>Two-factor code</strong><input name="code" inputmode="numeric" autocomplete="one-time-code" placeholder="123456 (or a backup code)" required>
<button>Verify</button><button type="button" id="mfa-backup-login">Use as a backup code</button></form>
<section id="providers" hidden><strong>Or</strong> <span id="provider-buttons"></span></section>
<form id="forgot" hidden><strong>Forgot password</strong><input name="email" type="email" placeholder="e-mail" required><button>Send reset link</button></form>
<form id="reset" hidden><strong>Choose a new password</strong><input name="password" type="password" required autocomplete="new-password"><button>Set password</button></form>
<section id="account" hidden><p>Signed in as <strong id="who"></strong> · two-factor authentication <strong id="mfa-state"></strong></p>
<button id="me">Profile</button> <button id="sessions">Sessions</button> <button id="add-passkey">Add a passkey</button>
<button id="passkeys">Passkeys</button> <button id="identities">Linked providers</button> <button id="mfa-enable">Set up two-factor</button>
<button id="logout">Log out</button><ul id="session-list"></ul>
<form id="mfa-setup" hidden><strong>Scan with your authenticator app</strong><div id="mfa-qr"></div>
<span>or enter the secret <code id="mfa-secret"></code></span><span>Backup codes (each works once; shown only now):</span><ol id="mfa-backup-codes"></ol>
<input name="code" inputmode="numeric" autocomplete="one-time-code" placeholder="code from the app" required><button>Turn on</button></form></section>
<pre id="out" aria-live="polite"></pre>
<script nonce="${nonce}" src="/demo/simplewebauthn-browser.js"></script>
<script nonce="${nonce}">${DEMO_SCRIPT}</script></body></html>`;
}

export const demoRoutes = new Hono<AppEnv>()
  .get('/simplewebauthn-browser.js', (c) => {
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body(SIMPLEWEBAUTHN_BROWSER_JS);
  })
  .get('/', (c) => htmlPage(c, page));
