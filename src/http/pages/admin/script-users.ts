// The console script, part 2: the users table (search, filters, pages) and one user's page with its actions.
// Each action is one call to the admin API; the page then reloads the user as the server has it now.
export const USERS_SCRIPT = `
function statusOf(user) {
  if (user.deletedAt) return 'deleted';
  return user.lockedUntil && new Date(user.lockedUntil) > new Date() ? 'locked' : 'active';
}
const yesNo = (value) => (value ? 'yes' : 'no');

loaders.users = listView('user-filters', 'users', 'users', async (state) => {
  const data = await api('GET', '/admin/users?' + query({ ...state.filters, page: state.page, limit: 20 }));
  fill($('users-table').tBodies[0], data.items,
    (u) => [u.email, u.role, statusOf(u), yesNo(u.emailVerified), yesNo(u.mfaEnabled), when(u.createdAt), when(u.lastLoginAt)],
    (u) => quietly(openUser(u.id)));
  return data;
});

let currentUser = null;
async function openUser(id) {
  const detail = await api('GET', '/admin/users/' + encodeURIComponent(id));
  show('user');
  renderUser(detail);
}
function renderUser(detail) {
  const u = detail.user;
  currentUser = u;
  $('user-email').textContent = u.email;
  const facts = [
    ['Id', u.id], ['Name', u.name || '—'], ['Role', u.role], ['Status', statusOf(u)], ['Locked until', when(u.lockedUntil)],
    ['Deleted', when(u.deletedAt)], ['E-mail verified', yesNo(u.emailVerified)], ['MFA', yesNo(u.mfaEnabled)],
    ['Failed logins', u.failedLoginCount], ['OAuth', u.oauthProviders.join(', ') || '—'], ['Created', when(u.createdAt)],
    ['Last login', when(u.lastLoginAt)],
  ];
  $('user-facts').replaceChildren(...facts.flatMap(([name, value]) => [el('dt', name), el('dd', value, { 'data-fact': name })]));
  fill($('user-sessions').tBodies[0], detail.sessions, (s) => [s.device, s.ipAddress || '—', when(s.createdAt), when(s.lastUsedAt)]);
  fill($('user-audit').tBodies[0], detail.recentAudit, (a) => [when(a.createdAt), a.action, a.outcome, a.actorId || '—', JSON.stringify(a.metadata)]);
  const state = statusOf(u);
  $('act-lock').hidden = state !== 'active';
  $('act-unlock').hidden = state !== 'locked';
  $('act-verify').hidden = u.emailVerified;
  $('act-delete').hidden = state === 'deleted';
  $('act-restore').hidden = state !== 'deleted';
  $('act-role-value').value = u.role;
}
async function act(method, path, body, message) {
  const data = await api(method, '/admin/users/' + encodeURIComponent(currentUser.id) + path, body);
  await openUser(currentUser.id);
  status(typeof message === 'function' ? message(data) : message, 'info');
}
const patchUser = (body, message) => quietly(act('PATCH', '', body, message));
$('act-lock').onclick = () => patchUser({ locked: true }, 'Locked: every session of this user has ended.');
$('act-unlock').onclick = () => patchUser({ locked: false }, 'Unlocked.');
$('act-verify').onclick = () => patchUser({ emailVerified: true }, 'E-mail marked verified.');
$('act-restore').onclick = () => patchUser({ deleted: false }, 'Restored.');
$('act-role').onclick = () => patchUser({ role: $('act-role-value').value }, 'Role changed: the user signs in again to get it.');
$('act-delete').onclick = () => {
  if (confirm('Delete ' + currentUser.email + '? Every session ends now.')) patchUser({ deleted: true }, 'Deleted: every session of this user has ended.');
};
$('act-revoke').onclick = () => quietly(act('DELETE', '/sessions', undefined, (data) => data.revoked + ' session(s) ended.'));
$('back-to-users').onclick = () => { show('users'); quietly(loaders.users()); };
`;
