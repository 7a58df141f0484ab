// Multi-step writes are all-or-nothing (issue 14): each flow runs once for every statement it sends, with exactly that
// statement failing as in an outage. Every such run answers 503 SERVICE_UNAVAILABLE and leaves the whole database
// exactly as it was (every table, row for row), and the client's retry then succeeds. The run whose statement number
// lies past the flow's last statement is left alone and must succeed: so every statement of the flow was failed once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OAuthIdentity, OAuthProvider } from '../../src/core/ports';
import { createFaultyHarness, type FaultyHarness, type FaultyKind } from '../support/faulty-db';
import { adminApi, ADMIN_EMAIL, ADMIN_PASSWORD, passwordSession } from '../http/admin-helpers';
import { expectError, json, linkToken, login, registerUser, STRONG_PASSWORD, uniqueEmail, waitForMail } from '../http/helpers';
import { codeNow, enable, mfaUser, nextCode, post } from '../http/mfa-helpers';

const NEW_PASSWORD = 'quartz-meadow-compass-77';

/** Every table, row for row: a digest of its rows in a fixed order, and its row count. */
async function databaseState(h: FaultyHarness, ignoredAudit: readonly string[] = []): Promise<Record<string, string>> {
  const tables = await h.query(
    `select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`,
  );
  const state: Record<string, string> = {};
  for (const { table_name: name } of tables) {
    // Audit rows a failure writes on purpose (an OAuth sign-in that failed is audited) are not the flow's writes.
    const where = name === 'audit_logs' && ignoredAudit.length > 0 ? `where t.action <> all($1::text[])` : '';
    const [row] = await h.query(
      `select count(*)::int as n, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as digest from "${String(name)}" t ${where}`,
      where ? [ignoredAudit] : [],
    );
    state[String(name)] = `${String(row!.n)} rows ${String(row!.digest)}`;
  }
  return state;
}

const count = async (h: FaultyHarness, text: string, params: unknown[]) => Number((await h.query(`select count(*)::int as n from ${text}`, params))[0]!.n);

interface Flow<C> {
  setup(h: FaultyHarness): Promise<C>;
  act(h: FaultyHarness, context: C): Promise<Response>;
  /** The success status of `act`. */
  status: number;
  /** Every write of the flow is in the database (after a success, or after a failure past the commit). */
  written(h: FaultyHarness, context: C): Promise<void>;
  /** What the client can do with a successful answer. */
  done?(h: FaultyHarness, context: C, response: Response): Promise<void>;
  /** How the client is told of the outage: by default 503 SERVICE_UNAVAILABLE. */
  refused?(response: Response): Promise<void>;
  /** Audit actions a failed run records on purpose. */
  ignoredAudit?: readonly string[];
}

/**
 * Fails statement 1, 2, ... of the flow until a run sends no more statements than that. After each 503 the database
 * holds none of the flow's writes, or (a statement failing after the commit, such as a read for the answer) all of
 * them; then the client's retry succeeds. The statements counted, and how many failures came after the commit.
 */
async function failEachStatement<C>(h: FaultyHarness, flow: Flow<C>): Promise<{ statements: number; afterCommit: number }> {
  let afterCommit = 0;
  for (let n = 1; n <= 100; n++) {
    const context = await flow.setup(h);
    const before = await databaseState(h, flow.ignoredAudit);
    h.faults.failNth(n);
    const response = await flow.act(h, context);
    const injected = h.faults.injected;
    h.faults.failNth(null);
    if (!injected) {
      expect(response.status, await response.clone().text()).toBe(flow.status);
      await flow.written(h, context);
      await flow.done?.(h, context, response);
      return { statements: n - 1, afterCommit };
    }
    await (flow.refused ? flow.refused(response) : expectError(response, 503, 'SERVICE_UNAVAILABLE'));
    const after = await databaseState(h, flow.ignoredAudit);
    if (JSON.stringify(after) !== JSON.stringify(before)) {
      afterCommit += 1;
      await flow.written(h, context);
    }
    const retry = await flow.act(h, context);
    expect(retry.status, `retry after statement ${n} failed: ${await retry.clone().text()}`).toBe(flow.status);
    await flow.written(h, context);
    await flow.done?.(h, context, retry);
  }
  throw new Error('the flow never finished within 100 statements');
}

const register: Flow<{ email: string }> = {
  setup: async () => ({ email: uniqueEmail('atomic') }),
  act: (h, { email }) => h.request('/api/v1/auth/register', { method: 'POST', json: { email, password: STRONG_PASSWORD } }),
  status: 201,
  async written(h, { email }) {
    const users = await h.query('select id from users where email = $1', [email]);
    expect(users).toHaveLength(1);
    const userId = users[0]!.id;
    expect(await count(h, `audit_logs where user_id = $1 and action = 'REGISTER'`, [userId])).toBe(1);
    expect(await count(h, `one_time_tokens where user_id = $1 and purpose = 'verify_email' and used_at is null`, [userId])).toBe(1);
    expect(await count(h, `sessions where user_id = $1 and revoked_at is null`, [userId])).toBe(1);
  },
  async done(h, { email }, response) {
    const { data } = await json(response);
    // The link mailed after the commit is the token stored with the user.
    const token = linkToken((await waitForMail(h, email, /confirm/i))[0]!, 'verify-email');
    expect((await h.request(`/api/v1/auth/verify-email/${token}`, { method: 'POST' })).status).toBe(200);
    expect((await h.request('/api/v1/auth/refresh', { method: 'POST', json: { refreshToken: data.refreshToken } })).status).toBe(200);
  },
};

const passwordReset: Flow<{ email: string; userId: string; token: string }> = {
  async setup(h) {
    const { email, user } = await registerUser(h);
    expect((await h.request('/api/v1/auth/forgot-password', { method: 'POST', json: { email } })).status).toBe(200);
    return { email, userId: user.id, token: linkToken((await waitForMail(h, email, /reset/i))[0]!, 'reset-password') };
  },
  act: (h, { token }) => h.request(`/api/v1/auth/reset-password/${token}`, { method: 'POST', json: { password: NEW_PASSWORD } }),
  status: 200,
  async written(h, { email, userId }) {
    expect(await count(h, `audit_logs where user_id = $1 and action = 'PASSWORD_RESET'`, [userId])).toBe(1);
    expect(await count(h, `sessions where user_id = $1 and revoked_at is null`, [userId])).toBe(0);
    expect((await login(h, email, NEW_PASSWORD)).status).toBe(200);
  },
};

const changePassword: Flow<{ email: string; userId: string; accessToken: string }> = {
  async setup(h) {
    const { email, user, accessToken } = await registerUser(h);
    await login(h, email, STRONG_PASSWORD); // a second session, which the change ends
    return { email, userId: user.id, accessToken };
  },
  act: (h, { accessToken }) =>
    h.request('/api/v1/auth/change-password', { method: 'POST', token: accessToken, json: { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD } }),
  status: 200,
  async written(h, { email, userId }) {
    expect(await count(h, `audit_logs where user_id = $1 and action = 'PASSWORD_CHANGED'`, [userId])).toBe(1);
    expect(await count(h, `sessions where user_id = $1 and revoked_at is null`, [userId])).toBe(1);
    expect((await login(h, email, NEW_PASSWORD)).status).toBe(200);
  },
};

const mfaConfirm: Flow<{ userId: string; accessToken: string; secret: Uint8Array }> = {
  async setup(h) {
    const { user, accessToken } = await registerUser(h);
    return { userId: user.id, accessToken, secret: (await enable(h, accessToken)).secretBytes };
  },
  // The retry sends the same code: a failed confirmation must not have spent its time step.
  act: async (h, { accessToken, secret }) => post(h, '/mfa/verify', { code: await codeNow(h, secret) }, { token: accessToken }),
  status: 200,
  async written(h, { userId }) {
    expect(await count(h, `users where id = $1 and mfa_enabled_at is not null`, [userId])).toBe(1);
    expect(await count(h, `audit_logs where user_id = $1 and action = 'MFA_ENABLED'`, [userId])).toBe(1);
  },
};

type MfaContext = Awaited<ReturnType<typeof mfaUser>> & { code: string };
const mfaContext = async (h: FaultyHarness): Promise<MfaContext> => {
  const user = await mfaUser(h);
  await login(h, user.email, user.password); // a challenge, no session; the disable must not care
  return { ...user, code: await nextCode(h, user.secret) };
};

const mfaDisable: Flow<MfaContext> = {
  setup: mfaContext,
  act: (h, { password, code, accessToken }) => post(h, '/mfa/disable', { password, code }, { token: accessToken }),
  status: 200,
  async written(h, { userId }) {
    expect(await count(h, `users where id = $1 and mfa_enabled_at is null and mfa_secret_encrypted is null`, [userId])).toBe(1);
    expect(await count(h, `backup_codes where user_id = $1`, [userId])).toBe(0);
    expect(await count(h, `audit_logs where user_id = $1 and action = 'MFA_DISABLED' and outcome = 'success'`, [userId])).toBe(1);
  },
};

const backupCodes: Flow<MfaContext> = {
  setup: mfaContext,
  act: (h, { password, code, accessToken }) => post(h, '/mfa/backup-codes', { password, code }, { token: accessToken }),
  status: 200,
  async written(h, { userId }) {
    expect(await count(h, `audit_logs where user_id = $1 and action = 'BACKUP_CODES_REGENERATED' and outcome = 'success'`, [userId])).toBe(1);
  },
  async done(h, { userId, backupCodes: old }, response) {
    const { data } = await json(response);
    expect(data.backupCodes).toHaveLength(8);
    expect(data.backupCodes).not.toEqual(old);
    // The set answered is the set stored (the codes' hashes are never shown, so compare by use).
    expect(await count(h, `backup_codes where user_id = $1 and used_at is null`, [userId])).toBe(8);
  },
};

/** An admin PATCH that ends the target's sessions (lock or delete), from the bootstrapped SUPER_ADMIN. */
function adminChange(patch: { locked: true } | { deleted: true }, adminToken: () => string): Flow<{ id: string; email: string }> {
  return {
    async setup(h) {
      const { user, email } = await registerUser(h);
      return { id: user.id, email };
    },
    act: (h, { id }) => adminApi(h, adminToken()).patch(`/users/${id}`, patch),
    status: 200,
    async written(h, { id, email }) {
      expect(await count(h, `sessions where user_id = $1 and revoked_at is null`, [id])).toBe(0);
      // At least one: a PATCH that failed after its commit (the read of its answer) is retried, and a lock is
      // recorded again.
      expect(await count(h, `audit_logs where user_id = $1 and action = 'USER_UPDATED_BY_ADMIN'`, [id])).toBeGreaterThanOrEqual(1);
      const column = 'locked' in patch ? 'locked_until' : 'deleted_at';
      expect(await count(h, `users where id = $1 and ${column} is not null`, [id])).toBe(1);
      expect((await login(h, email, STRONG_PASSWORD)).status).toBe(401);
    },
  };
}

// A sign-in provider written here: the provider's answer (who signed in) travels in the callback's `code`.
const stub: OAuthProvider = {
  id: 'stub',
  name: 'Stub provider',
  type: 'oauth',
  async authorizationUrl(attempt) {
    const url = new URL('https://provider.example/authorize');
    url.searchParams.set('state', attempt.state);
    return url;
  },
  async redeem(callback) {
    return JSON.parse(callback.get('code')!) as OAuthIdentity;
  },
};

/** One whole sign-in at the stub: authgate's answer to the callback (a redirect carrying code= or error=). */
async function oauthCallback(h: FaultyHarness, identity: OAuthIdentity): Promise<Response> {
  const started = await h.request('/api/v1/oauth/stub', { redirect: 'manual' });
  const cookie = started.headers.getSetCookie().find((line) => line.startsWith('authgate_oauth='))!.split(';')[0]!;
  const back = new URL('http://authgate.test/api/v1/oauth/stub/callback');
  back.searchParams.set('state', new URL(started.headers.get('location')!).searchParams.get('state')!);
  back.searchParams.set('code', JSON.stringify(identity));
  return h.request(`${back.pathname}${back.search}`, { redirect: 'manual', headers: { cookie } });
}

const redirectedWith = (response: Response) => new URL(response.headers.get('location')!).searchParams;

/** A provider sign-in: success is a redirect with a one-time code, an outage a redirect with error=temporarily_unavailable. */
const oauthFlow = {
  status: 302,
  ignoredAudit: ['OAUTH_LOGIN'],
  async refused(response: Response) {
    expect(response.status).toBe(302);
    expect(redirectedWith(response).get('error')).toBe('temporarily_unavailable');
  },
  async done(h: FaultyHarness, _context: unknown, response: Response) {
    const code = redirectedWith(response).get('code');
    expect(code, response.headers.get('location') ?? '').toBeTruthy();
    expect((await h.request('/api/v1/oauth/exchange', { method: 'POST', json: { code } })).status).toBe(200);
  },
};

let subjects = 0;
const identityFor = (email: string): OAuthIdentity => ({ subject: `sub-${++subjects}-${crypto.randomUUID()}`, email, emailVerified: true, name: 'Grace Hopper' });

const oauthNewUser: Flow<OAuthIdentity> = {
  ...oauthFlow,
  setup: async () => identityFor(uniqueEmail('provider')),
  act: oauthCallback,
  async written(h, identity) {
    const users = await h.query('select id from users where email = $1', [identity.email]);
    expect(users).toHaveLength(1);
    const userId = users[0]!.id;
    expect(await count(h, `oauth_accounts where user_id = $1 and provider_user_id = $2`, [userId, identity.subject])).toBe(1);
    expect(await count(h, `audit_logs where user_id = $1 and action in ('REGISTER', 'OAUTH_LINKED')`, [userId])).toBe(2);
  },
};

/** The account of the provider's e-mail exists with a password and an unverified address: the link removes the password. */
const oauthLink: Flow<OAuthIdentity & { userId: string }> = {
  ...oauthFlow,
  async setup(h) {
    const { email, user } = await registerUser(h);
    return { ...identityFor(email), userId: user.id };
  },
  act: oauthCallback,
  async written(h, { userId, subject }) {
    expect(await count(h, `oauth_accounts where user_id = $1 and provider_user_id = $2`, [userId, subject])).toBe(1);
    expect(await count(h, `users where id = $1 and password_hash is null and email_verified_at is not null`, [userId])).toBe(1);
    // The squatter's session (the registration's) is over; the owner's own starts only at the exchange.
    expect(await count(h, `sessions where user_id = $1 and revoked_at is null`, [userId])).toBe(0);
    expect(await count(h, `audit_logs where user_id = $1 and action = 'OAUTH_LINKED'`, [userId])).toBe(1);
  },
};

/** How many statements each flow sent on each driver (the README quotes them). */
const sent: Record<string, number> = {};

function suite(kind: FaultyKind) {
  describe(`on ${kind}`, () => {
    let h: FaultyHarness;
    let adminToken = '';
    beforeAll(async () => {
      h = await createFaultyHarness(kind, { ADMIN_EMAIL, ADMIN_PASSWORD, ADMIN_MFA_REQUIRED: 'false' }, [stub]);
    });
    afterAll(() => h?.close());

    const run = <C>(name: string, flow: Flow<C>, atLeast: number) =>
      it(`${name}: any one failed statement is an outage to the client, leaves nothing half-written, and the retry succeeds`, async () => {
        const { statements, afterCommit } = await failEachStatement(h, flow);
        sent[`${kind} ${name}`] = statements;
        if (afterCommit > 0) sent[`${kind} ${name} (failed after the commit)`] = afterCommit;
        // Reads before the batch count too; the batch alone has at least this many statements.
        expect(statements).toBeGreaterThanOrEqual(atLeast);
      });

    beforeAll(async () => {
      // The first request bootstraps the SUPER_ADMIN (its own statements): done before any fault is injected.
      expect((await h.request('/health/ready')).status).toBe(200);
    });

    run('register (user, audit row, verification link, session)', register, 4);
    run('password reset (link spent, password, sessions revoked, audit row)', passwordReset, 4);
    run('password change (password, other sessions revoked, audit row)', changePassword, 3);
    run('MFA confirmation (MFA on, audit row)', mfaConfirm, 2);
    run('MFA off (code claimed, MFA off, sessions revoked, audit row)', mfaDisable, 4);
    run('backup-code regeneration (code claimed, new set, audit row)', backupCodes, 3);
    run('OAuth sign-in creating an account (user, identity, audit rows)', oauthNewUser, 3);
    run('OAuth link to an unverified password account (link, password removed, sessions revoked, audit row)', oauthLink, 3);
    describe('admin', () => {
      beforeAll(async () => {
        adminToken = (await passwordSession(h, ADMIN_EMAIL, ADMIN_PASSWORD)).accessToken;
      });
      run('admin lock (lock, sessions revoked, audit row)', adminChange({ locked: true }, () => adminToken), 3);
      run('admin delete (soft delete, sessions revoked, audit row)', adminChange({ deleted: true }, () => adminToken), 3);
    });
  });
}

for (const kind of ['pglite', 'postgres', 'neon'] as const) suite(kind);

afterAll(() => {
  if (process.env.ATOMIC_REPORT) console.info(JSON.stringify(sent, null, 2));
});
