// The console script, part 1: calling the API, signing in and out, switching views. Browser JavaScript in a string
// (no build step); it runs under the page's nonce. The access and refresh tokens live in `session` only — never in
// storage or cookies — so closing the tab ends the console's access. Data reaches the page only through
// textContent, never as HTML.
export const SESSION_SCRIPT = `
'use strict';
const $ = (id) => document.getElementById(id);
const session = { accessToken: null, refreshToken: null, mfaToken: null };
function status(message, kind) { const box = $('status'); box.textContent = message || ''; box.className = kind || ''; }
function el(tag, text, attrs) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const name in attrs || {}) node.setAttribute(name, attrs[name]);
  return node;
}
function when(iso) { return iso ? iso.replace('T', ' ').slice(0, 19) + ' UTC' : '—'; }
function fill(tbody, rows, cells, onOpen) {
  tbody.replaceChildren(...rows.map((row) => {
    const tr = el('tr');
    for (const cell of cells(row)) tr.append(el('td', cell));
    if (onOpen) {
      tr.className = 'link';
      tr.tabIndex = 0;
      tr.onclick = () => onOpen(row);
      tr.onkeydown = (event) => { if (event.key === 'Enter') onOpen(row); };
    }
    return tr;
  }));
}
function query(params) {
  const search = new URLSearchParams();
  for (const name in params) if (params[name] !== '' && params[name] !== undefined && params[name] !== null) search.set(name, params[name]);
  return search.toString();
}
function formValues(form) { return Object.fromEntries(new FormData(form)); }
function errorText(json, status) { return json && json.error ? json.error.message + ' (' + json.error.code + ')' : 'Request failed (' + status + ')'; }

async function call(method, path, body) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (session.accessToken) headers.authorization = 'Bearer ' + session.accessToken;
  const response = await fetch('/api/v1' + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, json: await response.json().catch(() => null) };
}
async function refresh() {
  if (!session.refreshToken) return false;
  const result = await call('POST', '/auth/refresh', { refreshToken: session.refreshToken });
  if (result.status !== 200) return false;
  session.accessToken = result.json.data.accessToken;
  session.refreshToken = result.json.data.refreshToken;
  return true;
}
/** The data of a successful call; anything else is shown in #status and thrown. */
async function api(method, path, body) {
  let result = await call(method, path, body);
  const code = result.json && result.json.error ? result.json.error.code : null;
  if (result.status === 401 && code === 'TOKEN_EXPIRED' && (await refresh())) result = await call(method, path, body);
  if (result.status === 401) { signOut('Your session has ended; sign in again.'); throw new Error('signed out'); }
  if (!result.json || !result.json.success) { status(errorText(result.json, result.status)); throw new Error('refused'); }
  return result.json.data;
}
const quietly = (promise) => promise.catch(() => {});

/**
 * A table with a filter form and a pager: the form sets the filters and goes to page 1, the buttons move a page.
 * fetchPage(state) fills the table and answers the page it got; the returned function (re)loads.
 */
function listView(formId, pagerId, noun, fetchPage) {
  const state = { page: 1, totalPages: 1, filters: {} };
  const load = async () => {
    const data = await fetchPage(state);
    state.totalPages = data.totalPages;
    $(pagerId + '-page').textContent = 'Page ' + data.page + ' of ' + Math.max(1, data.totalPages) + ' (' + data.total + ' ' + noun + ')';
    $(pagerId + '-prev').disabled = data.page <= 1;
    $(pagerId + '-next').disabled = data.page >= data.totalPages;
  };
  $(formId).onsubmit = (event) => { event.preventDefault(); state.filters = formValues(event.target); state.page = 1; quietly(load()); };
  $(pagerId + '-prev').onclick = () => { state.page = Math.max(1, state.page - 1); quietly(load()); };
  $(pagerId + '-next').onclick = () => { state.page = Math.min(state.totalPages, state.page + 1); quietly(load()); };
  return load;
}

const views = ['dashboard', 'users', 'user', 'audit'];
const loaders = {};
function show(view) {
  for (const name of views) $('view-' + name).hidden = name !== view;
  for (const button of document.querySelectorAll('nav button')) {
    const mine = button.dataset.view === view || (view === 'user' && button.dataset.view === 'users');
    button.setAttribute('aria-current', mine ? 'page' : 'false');
  }
  status('');
}
for (const button of document.querySelectorAll('nav button')) {
  button.onclick = () => { show(button.dataset.view); quietly(loaders[button.dataset.view]()); };
}

async function signedIn(data) {
  session.accessToken = data.accessToken;
  session.refreshToken = data.refreshToken;
  $('login-form').reset();
  $('mfa-form').reset();
  // The admin gate decides; the console only explains a refusal.
  const probe = await call('GET', '/admin/dashboard');
  if (probe.status !== 200) {
    const code = probe.json && probe.json.error ? probe.json.error.code : '';
    await call('POST', '/auth/logout');
    signOut();
    return status(code === 'MFA_REQUIRED'
      ? 'Admin access needs a session that passed a second factor: turn on MFA for this account, then sign in again.'
      : code === 'AUTHORIZATION_ERROR' ? 'This account is not an administrator.' : errorText(probe.json, probe.status));
  }
  $('who').textContent = data.user.email + ' (' + data.user.role + ')';
  $('signin').hidden = true;
  $('console').hidden = false;
  $('sign-out').hidden = false;
  show('dashboard');
  renderDashboard(probe.json.data);
}
function signOut(message) {
  session.accessToken = session.refreshToken = session.mfaToken = null;
  $('console').hidden = true;
  $('sign-out').hidden = true;
  $('signin').hidden = false;
  $('login-form').hidden = false;
  $('mfa-form').hidden = true;
  $('who').textContent = '';
  status(message || '', 'info');
}
$('login-form').onsubmit = async (event) => {
  event.preventDefault();
  status('');
  const values = formValues(event.target);
  const result = await call('POST', '/auth/login', { email: values.email, password: values.password });
  if (result.status !== 200) return status(errorText(result.json, result.status));
  if (!result.json.data.mfaRequired) return signedIn(result.json.data);
  session.mfaToken = result.json.data.mfaToken;
  $('login-form').hidden = true;
  $('mfa-form').hidden = false;
  $('mfa-form').elements.code.focus();
};
$('mfa-form').onsubmit = async (event) => {
  event.preventDefault();
  const result = await call('POST', '/mfa/verify-login', { mfaToken: session.mfaToken, code: formValues(event.target).code });
  if (result.status !== 200) return status(errorText(result.json, result.status));
  session.mfaToken = null;
  await signedIn(result.json.data);
};
$('sign-out').onclick = async () => { await call('POST', '/auth/logout'); signOut('Signed out.'); };
`;
