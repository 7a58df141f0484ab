// Seeds a database with the bench's population in a few generate_series statements (seconds, not hours of inserts).
// Spreads are deterministic (multiplicative hashing of the series number), so every run sees the same data.

export type Exec = (text: string) => Promise<unknown>;

export interface Population {
  users: number;
  auditRows: number;
  sessions: number;
}

/** `now` is the instant the dashboard is measured at; users span a year before it, audit rows 90 days. */
export async function seed(exec: Exec, population: Population, now: Date): Promise<void> {
  const at = `'${now.toISOString()}'::timestamptz`;
  const { users, auditRows, sessions } = population;
  await exec(`insert into users (id, email, name, password_hash, role, email_verified_at, mfa_enabled_at, failed_login_count,
      locked_until, deleted_at, created_at, updated_at, last_login_at)
    select 'u' || g, 'user' || g || '@bench.example', null, null, 'USER',
      case when g % 10 < 7 then ${at} - (g % 365) * interval '1 day' end,
      case when g % 10 = 0 then ${at} - (g % 300) * interval '1 day' end,
      0,
      case when g % 200 = 0 then ${at} + interval '1 hour' end,
      case when g % 97 = 0 then ${at} - interval '1 day' end,
      ${at} - ((g::bigint * 2654435761) % (365 * 86400)) * interval '1 second',
      ${at} - ((g::bigint * 2654435761) % (365 * 86400)) * interval '1 second',
      case when g % 4 <> 0 then ${at} - ((g::bigint * 40503) % (30 * 86400)) * interval '1 second' end
    from generate_series(1, ${users}) as g`);
  // 40 % successful logins, 10 % failures, 30 % refreshes, the rest other actions a real trail holds.
  await exec(`insert into audit_logs (id, created_at, action, outcome, user_id, actor_id, ip_address, user_agent, request_id, metadata)
    select 'a' || g, ${at} - ((g::bigint * 2654435761) % (90 * 86400)) * interval '1 second',
      (array['LOGIN_SUCCESS','LOGIN_SUCCESS','LOGIN_SUCCESS','LOGIN_SUCCESS','LOGIN_FAILURE','TOKEN_REFRESHED',
             'TOKEN_REFRESHED','TOKEN_REFRESHED','LOGOUT','SESSION_REVOKED'])[1 + g % 10],
      case when g % 10 = 4 then 'failure' else 'success' end,
      'u' || (1 + (g::bigint * 40503) % ${users}), 'u' || (1 + (g::bigint * 40503) % ${users}),
      '203.0.113.' || (g % 250), 'bench', 'req-' || g, '{}'::jsonb
    from generate_series(1, ${auditRows}) as g`);
  await exec(`insert into sessions (id, user_id, created_at, last_used_at, expires_at, revoked_at, ip_address, user_agent, amr, security_stamp)
    select 's' || g, 'u' || (1 + (g::bigint * 40503) % ${users}), ${at} - (g % 7) * interval '1 day', ${at},
      ${at} + (g % 14 - 7) * interval '1 day', case when g % 5 = 0 then ${at} end, null, null, '["pwd"]'::jsonb, 0
    from generate_series(1, ${sessions}) as g`);
  // The steady state autovacuum keeps: statistics, and a visibility map for index-only scans. On PostgreSQL the
  // first pass can leave pages not all-visible while autovacuum's own analyze of the fresh rows holds a snapshot
  // (seen here: 2,492 of 14,582 audit pages), so a second pass settles it.
  await exec('vacuum analyze');
  await exec('vacuum analyze');
}
