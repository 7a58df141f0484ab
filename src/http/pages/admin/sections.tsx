// The console's markup: static, rendered on the server. The page script fills it from the admin API with the access
// token it holds in memory; nothing user-specific is rendered here (the server does not know who is looking).

const ROLES = ['USER', 'ADMIN', 'SUPER_ADMIN'];

function Options(props: { values: string[]; any?: string }) {
  return (
    <>
      {props.any === undefined ? null : <option value="">{props.any}</option>}
      {props.values.map((value) => (
        <option value={value}>{value}</option>
      ))}
    </>
  );
}

function Pager(props: { id: string }) {
  return (
    <div class="pager">
      <button type="button" id={`${props.id}-prev`}>Previous</button>
      <span id={`${props.id}-page`} />
      <button type="button" id={`${props.id}-next`}>Next</button>
    </div>
  );
}

export function SignIn() {
  return (
    <section id="signin">
      <h2>Sign in</h2>
      <form id="login-form">
        <label>E-mail<input name="email" type="email" required autocomplete="username" /></label>
        <label>Password<input name="password" type="password" required autocomplete="current-password" /></label>
        <button>Sign in</button>
      </form>
      <form id="mfa-form" hidden>
        <label>Authentication code<input name="code" inputmode="numeric" pattern="[0-9]{6}" required autocomplete="one-time-code" /></label>
        <button>Verify</button>
      </form>
    </section>
  );
}

export function DashboardView() {
  return (
    <section id="view-dashboard" data-view="dashboard">
      <h2>Last 7 days (UTC)</h2>
      <div id="chart" />
      <dl id="totals" />
    </section>
  );
}

export function UsersView() {
  return (
    <section id="view-users" data-view="users" hidden>
      <h2>Users</h2>
      <form id="user-filters">
        <label>E-mail contains<input name="search" type="search" /></label>
        <label>Role<select name="role"><Options values={ROLES} any="any" /></select></label>
        <label>Status<select name="status"><Options values={['active', 'locked', 'deleted']} any="any" /></select></label>
        <label>Sort by<select name="sortBy"><Options values={['createdAt', 'email', 'lastLoginAt']} /></select></label>
        <label>Order<select name="sortOrder"><Options values={['desc', 'asc']} /></select></label>
        <button>Search</button>
      </form>
      <table id="users-table">
        <thead><tr><th>E-mail</th><th>Role</th><th>Status</th><th>Verified</th><th>MFA</th><th>Created</th><th>Last login</th></tr></thead>
        <tbody />
      </table>
      <Pager id="users" />
    </section>
  );
}

export function UserView() {
  return (
    <section id="view-user" data-view="user" hidden>
      <button type="button" id="back-to-users">← Users</button>
      <h2 id="user-email" />
      <dl id="user-facts" />
      <div class="actions">
        <button type="button" id="act-lock">Lock</button>
        <button type="button" id="act-unlock">Unlock</button>
        <button type="button" id="act-verify">Mark e-mail verified</button>
        <button type="button" id="act-revoke">Revoke all sessions</button>
        <label>Role<select id="act-role-value"><Options values={ROLES} /></select></label>
        <button type="button" id="act-role">Change role</button>
        <button type="button" id="act-delete">Delete</button>
        <button type="button" id="act-restore">Restore</button>
      </div>
      <h3>Active sessions</h3>
      <table id="user-sessions">
        <thead><tr><th>Device</th><th>Address</th><th>Started</th><th>Last used</th></tr></thead>
        <tbody />
      </table>
      <h3>Recent audit</h3>
      <table id="user-audit">
        <thead><tr><th>When</th><th>Action</th><th>Outcome</th><th>Actor</th><th>Details</th></tr></thead>
        <tbody />
      </table>
    </section>
  );
}

export function AuditView() {
  return (
    <section id="view-audit" data-view="audit" hidden>
      <h2>Audit log</h2>
      <form id="audit-filters">
        <label>User id<input name="userId" /></label>
        <label>Action<input name="action" placeholder="e.g. LOGIN_FAILURE" /></label>
        <label>Outcome<select name="outcome"><Options values={['success', 'failure']} any="any" /></select></label>
        <label>From<input name="dateFrom" type="date" /></label>
        <label>To<input name="dateTo" type="date" /></label>
        <button>Filter</button>
      </form>
      <table id="audit-table">
        <thead><tr><th>When</th><th>Action</th><th>Outcome</th><th>User</th><th>Actor</th><th>Address</th><th>Details</th></tr></thead>
        <tbody />
      </table>
      <Pager id="audit" />
    </section>
  );
}
