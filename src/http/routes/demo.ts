import { Hono } from 'hono';
import { SIMPLEWEBAUTHN_BROWSER_JS } from '../assets/simplewebauthn-browser.generated';
import type { AppEnv } from '../env';
import { htmlPage } from '../pages/html-page';

// GET /demo: a small page on the API itself. Mail links land here (`#verify-email=`, `#reset-password=`,
// `#forgot-password`); it also registers, logs in (with a password or a passkey), adds passkeys, lists sessions and
// logs out. Tokens live in page memory only, never in storage, and a link's token is wiped from the address bar as
// soon as it is read. Its CSP allows exactly its own scripts and style (per-request nonce) and requests to this
// origin (the page helper, pages/html-page.ts). @simplewebauthn/browser comes from this service too (/demo/simplewebauthn-browser.js), never a CDN. It shows
// a sign-in button for each configured OAuth/OpenID provider and is the default OAUTH_REDIRECT_URL: it swaps the
// `?code=` it comes back with.

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
form{display:grid;gap:.5rem;margin:1rem 0;padding:1rem;border:1px solid #ccc;border-radius:8px}
input,button{font:inherit;padding:.4rem}pre{background:#f4f4f4;padding:1rem;overflow:auto}[hidden]{display:none}`;

const SCRIPT = `
const $ = (id) => document.getElementById(id);
let session = null;
const show = (data) => { $('out').textContent = JSON.stringify(data, null, 2); };
async function api(path, body, method = 'POST') {
  const headers = { 'content-type': 'application/json' };
  if (session) headers.authorization = 'Bearer ' + session.accessToken;
  const res = await fetch('/api/v1' + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await res.json();
  show(json);
  return json;
}
function field(form, name) { return form.elements.namedItem(name).value; }
function signedIn(data) {
  session = data;
  $('account').hidden = false;
  $('who').textContent = data.user.email;
}
function followLink() {
  const [flow, token] = location.hash.slice(1).split('=');
  if (!flow) return;
  history.replaceState(null, '', location.pathname);
  if (flow === 'verify-email' && token) api('/auth/verify-email/' + encodeURIComponent(token));
  if (flow === 'reset-password' && token) { $('reset').hidden = false; $('reset').dataset.token = token; }
  if (flow === 'forgot-password') $('forgot').hidden = false;
}
followLink();
window.addEventListener('hashchange', followLink);
async function showProviders() {
  const res = await fetch('/api/v1/oauth/providers');
  const { data } = await res.json();
  for (const p of data.providers) {
    const a = document.createElement('a');
    a.href = '/api/v1/oauth/' + encodeURIComponent(p.id);
    a.dataset.provider = p.id;
    a.textContent = 'Sign in with ' + p.name;
    $('provider-buttons').append(a, ' ');
  }
  $('providers').hidden = data.providers.length === 0;
}
async function finishProviderSignIn() {
  const params = new URLSearchParams(location.search);
  if (!params.has('code') && !params.has('error')) return;
  history.replaceState(null, '', location.pathname);
  if (params.has('error')) return show({ success: false, error: { code: params.get('error') } });
  const r = await api('/oauth/exchange', { code: params.get('code') });
  if (r.success && !r.data.mfaRequired) signedIn(r.data);
}
showProviders();
finishProviderSignIn();
$('register').onsubmit = async (e) => { e.preventDefault(); const r = await api('/auth/register', { email: field(e.target, 'email'), password: field(e.target, 'password') }); if (r.success) signedIn(r.data); };
$('login').onsubmit = async (e) => { e.preventDefault(); const r = await api('/auth/login', { email: field(e.target, 'email'), password: field(e.target, 'password') }); if (r.success && !r.data.mfaRequired) signedIn(r.data); };
$('forgot').onsubmit = async (e) => { e.preventDefault(); await api('/auth/forgot-password', { email: field(e.target, 'email') }); };
$('reset').onsubmit = async (e) => { e.preventDefault(); await api('/auth/reset-password/' + encodeURIComponent(e.target.dataset.token), { password: field(e.target, 'password') }); };
$('show-forgot').onclick = () => { $('forgot').hidden = false; };
const { startRegistration, startAuthentication } = window.SimpleWebAuthnBrowser;
// Options from the service, the browser's ceremony, the answer back: the challengeId ties the two halves together.
async function ceremony(path, run) {
  const start = await api(path + '/options');
  if (!start.success) return start;
  let response;
  try { response = await run({ optionsJSON: start.data.options }); } catch (error) { show({ error: error.name + ': ' + error.message }); return null; }
  return api(path + '/verify', { challengeId: start.data.challengeId, response });
}
$('passkey-login').onclick = async () => { const r = await ceremony('/auth/passkey', startAuthentication); if (r && r.success && !r.data.mfaRequired) signedIn(r.data); };
$('add-passkey').onclick = () => ceremony('/passkeys/register', startRegistration);
$('passkeys').onclick = () => api('/passkeys', undefined, 'GET');
$('me').onclick = () => api('/users/me', undefined, 'GET');
$('sessions').onclick = () => api('/sessions', undefined, 'GET');
$('identities').onclick = () => api('/users/me/identities', undefined, 'GET');
$('logout').onclick = async () => { await api('/auth/logout'); session = null; $('account').hidden = true; };
`;

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
<section id="providers" hidden><strong>Or</strong> <span id="provider-buttons"></span></section>
<form id="forgot" hidden><strong>Forgot password</strong><input name="email" type="email" placeholder="e-mail" required><button>Send reset link</button></form>
<form id="reset" hidden><strong>Choose a new password</strong><input name="password" type="password" required autocomplete="new-password"><button>Set password</button></form>
<section id="account" hidden><p>Signed in as <strong id="who"></strong></p>
<button id="me">Profile</button> <button id="sessions">Sessions</button> <button id="add-passkey">Add a passkey</button>
<button id="passkeys">Passkeys</button> <button id="identities">Linked providers</button> <button id="logout">Log out</button></section>
<pre id="out" aria-live="polite"></pre>
<script nonce="${nonce}" src="/demo/simplewebauthn-browser.js"></script>
<script nonce="${nonce}">${SCRIPT}</script></body></html>`;
}

export const demoRoutes = new Hono<AppEnv>()
  .get('/simplewebauthn-browser.js', (c) => {
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body(SIMPLEWEBAUTHN_BROWSER_JS);
  })
  .get('/', (c) => htmlPage(c, page));
