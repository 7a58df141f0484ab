// The /demo page's script (routes/demo.ts serves it inline under the page's nonce). Browser JavaScript in a string,
// no build step. Tokens live in `session` (page memory) only, never in storage or cookies. Data from the API reaches
// the page through textContent; the one exception is the enrolment's QR code, an SVG this service drew
// (core/mfa/enrolment.ts), parsed as XML and adopted as SVG nodes — never assigned as HTML.
export const DEMO_SCRIPT = `
'use strict';
const $ = (id) => document.getElementById(id);
let session = null;
let mfaToken = null;
const show = (data) => { $('out').textContent = JSON.stringify(data, null, 2); };
async function api(path, body, method = 'POST', quiet = false) {
  const headers = { 'content-type': 'application/json' };
  if (session) headers.authorization = 'Bearer ' + session.accessToken;
  const res = await fetch('/api/v1' + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await res.json();
  if (!quiet) show(json);
  return json;
}
function field(form, name) { return form.elements.namedItem(name).value; }
function showMfaState(user) {
  $('mfa-state').textContent = user.mfaEnabled ? 'on' : 'off';
  $('mfa-enable').hidden = user.mfaEnabled;
}
function signedIn(data) {
  session = data;
  mfaToken = null;
  $('mfa-login').hidden = true;
  $('account').hidden = false;
  document.body.classList.add('signed-in');
  $('who').textContent = data.user.email;
  showMfaState(data.user);
}
function signedOut() {
  session = null;
  $('account').hidden = true;
  document.body.classList.remove('signed-in');
  $('who').textContent = '';
  $('mfa-setup').hidden = true;
  $('session-list').replaceChildren();
}
// Every sign-in ends here: tokens, or (MFA on) a challenge the code form answers.
function afterSignIn(r) {
  if (!r || !r.success) return;
  if (!r.data.mfaRequired) return signedIn(r.data);
  mfaToken = r.data.mfaToken;
  $('mfa-login').hidden = false;
  $('mfa-login').elements.namedItem('code').focus();
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
  afterSignIn(await api('/oauth/exchange', { code: params.get('code') }));
}
showProviders();
finishProviderSignIn();
$('register').onsubmit = async (e) => { e.preventDefault(); afterSignIn(await api('/auth/register', { email: field(e.target, 'email'), password: field(e.target, 'password') })); };
$('login').onsubmit = async (e) => { e.preventDefault(); afterSignIn(await api('/auth/login', { email: field(e.target, 'email'), password: field(e.target, 'password') })); };
async function secondStep(path) {
  const form = $('mfa-login');
  const r = await api(path, { mfaToken, code: field(form, 'code') });
  form.reset();
  if (r.success) signedIn(r.data);
}
$('mfa-login').onsubmit = (e) => { e.preventDefault(); secondStep('/mfa/verify-login'); };
$('mfa-backup-login').onclick = () => secondStep('/mfa/verify-backup-code');
$('forgot').onsubmit = async (e) => { e.preventDefault(); await api('/auth/forgot-password', { email: field(e.target, 'email') }); };
$('reset').onsubmit = async (e) => { e.preventDefault(); await api('/auth/reset-password/' + encodeURIComponent(e.target.dataset.token), { password: field(e.target, 'password') }); };
$('show-forgot').onclick = () => { $('forgot').hidden = false; };
/** The service's QR code as SVG nodes: parsed as XML, only an <svg> root is taken, and nothing in it runs. */
function qrCode(svgText) {
  const root = new DOMParser().parseFromString(svgText, 'image/svg+xml').documentElement;
  if (root.namespaceURI !== 'http://www.w3.org/2000/svg' || root.localName !== 'svg') return document.createTextNode('(no QR code)');
  root.querySelectorAll('script, foreignObject').forEach((node) => node.remove());
  root.setAttribute('role', 'img');
  root.setAttribute('aria-label', 'QR code of the authenticator secret');
  return document.importNode(root, true);
}
$('mfa-enable').onclick = async () => {
  const r = await api('/mfa/enable', {}, 'POST', true);
  if (!r.success) return show(r);
  // The reply minus the SVG markup (drawn above instead); secret and backup codes are shown this once.
  show({ success: true, data: { otpauthUrl: r.data.otpauthUrl, backupCodes: r.data.backupCodes.length + ' codes, listed above' } });
  $('mfa-qr').replaceChildren(qrCode(r.data.qrCodeSvg));
  $('mfa-secret').textContent = r.data.secret;
  $('mfa-backup-codes').replaceChildren(...r.data.backupCodes.map((code) => { const li = document.createElement('li'); li.textContent = code; return li; }));
  $('mfa-setup').hidden = false;
};
$('mfa-setup').onsubmit = async (e) => {
  e.preventDefault();
  const r = await api('/mfa/verify', { code: field(e.target, 'code') });
  e.target.reset();
  if (!r.success) return;
  $('mfa-setup').hidden = true;
  $('mfa-qr').replaceChildren();
  $('mfa-secret').textContent = '';
  $('mfa-backup-codes').replaceChildren();
  showMfaState({ mfaEnabled: true });
};
const { startRegistration, startAuthentication } = window.SimpleWebAuthnBrowser;
// Options from the service, the browser's ceremony, the answer back: the challengeId ties the two halves together.
async function ceremony(path, run) {
  const start = await api(path + '/options');
  if (!start.success) return start;
  let response;
  try { response = await run({ optionsJSON: start.data.options }); } catch (error) { show({ error: error.name + ': ' + error.message }); return null; }
  return api(path + '/verify', { challengeId: start.data.challengeId, response });
}
$('passkey-login').onclick = async () => afterSignIn(await ceremony('/auth/passkey', startAuthentication));
$('add-passkey').onclick = () => ceremony('/passkeys/register', startRegistration);
$('passkeys').onclick = () => api('/passkeys', undefined, 'GET');
$('me').onclick = () => api('/users/me', undefined, 'GET');
async function listSessions() {
  const r = await api('/sessions', undefined, 'GET');
  if (!r.success) return;
  $('session-list').replaceChildren(...r.data.sessions.map((s) => {
    const li = document.createElement('li');
    li.dataset.session = s.id;
    li.textContent = s.device + ' · ' + (s.ipAddress || 'unknown address') + ' · since ' + s.createdAt.replace('T', ' ').slice(0, 16) + ' UTC ';
    if (s.current) { li.append('(this one)'); return li; }
    const revoke = document.createElement('button');
    revoke.textContent = 'Revoke';
    revoke.onclick = async () => { const done = await api('/sessions/' + encodeURIComponent(s.id), undefined, 'DELETE'); if (done.success) li.remove(); };
    li.append(revoke);
    return li;
  }));
}
$('sessions').onclick = listSessions;
$('identities').onclick = () => api('/users/me/identities', undefined, 'GET');
$('logout').onclick = async () => { await api('/auth/logout'); signedOut(); };
`;
