import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import type { AuditOutcome, OneTimeTokenPurpose, Role } from '../../core/ports';

// The whole data model, including what MFA, OAuth and admin use later, so migrations grow by addition only.
// Every instant is `timestamp with time zone`: the server's TimeZone setting must never change what we read back.

const instant = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const users = pgTable(
  'users',
  {
    id: text('id').primaryKey(),
    // Normalised (NFKC, lower case) by the caller, so plain equality is the account identity.
    email: text('email').notNull(),
    name: text('name'),
    // Null for accounts that only sign in through OAuth.
    passwordHash: text('password_hash'),
    role: text('role').$type<Role>().notNull().default('USER'),
    emailVerifiedAt: instant('email_verified_at'),
    mfaSecretEncrypted: text('mfa_secret_encrypted'),
    mfaEnabledAt: instant('mfa_enabled_at'),
    // Last accepted TOTP time step: codes of this step or older are replays.
    mfaLastUsedStep: bigint('mfa_last_used_step', { mode: 'number' }),
    failedLoginCount: integer('failed_login_count').notNull().default(0),
    lockedUntil: instant('locked_until'),
    deletedAt: instant('deleted_at'),
    createdAt: instant('created_at').notNull(),
    updatedAt: instant('updated_at').notNull(),
    lastLoginAt: instant('last_login_at'),
    // Bumped by every change that must end sign-ins verified against the old state (password change/reset, delete,
    // admin lock, MFA off, role change). A sign-in creates its session only if the stamp it read is still current.
    securityStamp: integer('security_stamp').notNull().default(0),
  },
  (t) => [
    uniqueIndex('users_email_unique').on(t.email),
    index('users_created_at_idx').on(t.createdAt),
    // The admin users list sorted by last login, either way ("never" is the oldest: nulls first going up).
    index('users_last_login_at_idx').on(t.lastLoginAt.asc().nullsFirst()),
    check('users_role_check', sql`${t.role} in ('USER', 'ADMIN', 'SUPER_ADMIN')`),
  ],
);

export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: instant('created_at').notNull(),
    lastUsedAt: instant('last_used_at').notNull(),
    // Absolute end of the session; refresh tokens never outlive it.
    expiresAt: instant('expires_at').notNull(),
    revokedAt: instant('revoked_at'),
    revokedReason: text('revoked_reason'),
    ipAddress: text('ip_address'),
    userAgent: text('user_agent'),
    // Authentication methods (RFC 8176 values such as "pwd", "otp"); jsonb reads back as an array on every driver.
    amr: jsonb('amr').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    // The user's security stamp when the session was created: refresh works only while the two still match.
    securityStamp: integer('security_stamp').notNull().default(0),
  },
  (t) => [
    index('sessions_user_id_idx').on(t.userId),
    index('sessions_expires_at_idx').on(t.expiresAt),
    // The dashboard's count of live sessions reads only live ones.
    index('sessions_live_expires_at_idx').on(t.expiresAt).where(sql`${t.revokedAt} is null`),
  ],
);

export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: text('id').primaryKey(),
    sessionId: text('session_id')
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    // SHA-256 hex of the opaque token: a database leak yields no usable token.
    tokenHash: text('token_hash').notNull(),
    parentId: text('parent_id'),
    createdAt: instant('created_at').notNull(),
    expiresAt: instant('expires_at').notNull(),
    spentAt: instant('spent_at'),
  },
  (t) => [
    uniqueIndex('refresh_tokens_token_hash_unique').on(t.tokenHash),
    // A token has at most one child: a second rotation of one parent is refused by the database itself.
    uniqueIndex('refresh_tokens_parent_id_unique').on(t.parentId),
    index('refresh_tokens_session_id_idx').on(t.sessionId),
    index('refresh_tokens_expires_at_idx').on(t.expiresAt),
  ],
);

export const oneTimeTokens = pgTable(
  'one_time_tokens',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: text('purpose').$type<OneTimeTokenPurpose>().notNull(),
    tokenHash: text('token_hash').notNull(),
    createdAt: instant('created_at').notNull(),
    expiresAt: instant('expires_at').notNull(),
    usedAt: instant('used_at'),
  },
  (t) => [
    uniqueIndex('one_time_tokens_token_hash_unique').on(t.tokenHash),
    index('one_time_tokens_user_id_purpose_idx').on(t.userId, t.purpose),
    index('one_time_tokens_expires_at_idx').on(t.expiresAt),
    check('one_time_tokens_purpose_check', sql`${t.purpose} in ('verify_email', 'reset_password')`),
  ],
);

export const oauthAccounts = pgTable(
  'oauth_accounts',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    provider: text('provider').notNull(),
    // The identity is (provider, provider user id), never the e-mail the provider reports.
    providerUserId: text('provider_user_id').notNull(),
    email: text('email'),
    // When the identity was linked (API.md `linkedAt`).
    createdAt: instant('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('oauth_accounts_provider_user_unique').on(t.provider, t.providerUserId),
    // One identity per provider per user: a second subject with the same verified e-mail (a recycled address) is
    // refused instead of quietly becoming another key to the account, and unlinking by provider is unambiguous.
    uniqueIndex('oauth_accounts_user_provider_unique').on(t.userId, t.provider),
  ],
);

export const backupCodes = pgTable(
  'backup_codes',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    createdAt: instant('created_at').notNull(),
    usedAt: instant('used_at'),
  },
  (t) => [uniqueIndex('backup_codes_user_id_code_hash_unique').on(t.userId, t.codeHash)],
);

export const passkeys = pgTable(
  'passkeys',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    // The authenticator's credential id (base64url). Unique across all users: a credential is registered once, and
    // a discoverable login finds its user by this id alone.
    credentialId: text('credential_id').notNull(),
    // COSE_Key bytes (base64url): text reads back the same on every driver, unlike bytea.
    publicKey: text('public_key').notNull(),
    // WebAuthn's signature counter is an unsigned 32-bit integer, beyond what `integer` holds.
    signCount: bigint('sign_count', { mode: 'number' }).notNull().default(0),
    transports: jsonb('transports').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    // The BS flag: a synced (multi-device) passkey that is backed up.
    backedUp: boolean('backed_up').notNull().default(false),
    aaguid: text('aaguid').notNull(),
    name: text('name').notNull(),
    createdAt: instant('created_at').notNull(),
    lastUsedAt: instant('last_used_at'),
  },
  (t) => [uniqueIndex('passkeys_credential_id_unique').on(t.credentialId), index('passkeys_user_id_idx').on(t.userId)],
);

// No foreign keys: the audit trail outlives whatever it mentions.
export const auditLogs = pgTable(
  'audit_logs',
  {
    id: text('id').primaryKey(),
    createdAt: instant('created_at').notNull(),
    action: text('action').notNull(),
    outcome: text('outcome').$type<AuditOutcome>().notNull(),
    userId: text('user_id'),
    actorId: text('actor_id'),
    ipAddress: text('ip_address'),
    userAgent: text('user_agent'),
    requestId: text('request_id'),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
  },
  (t) => [
    index('audit_logs_created_at_idx').on(t.createdAt),
    index('audit_logs_user_id_created_at_idx').on(t.userId, t.createdAt),
    // The dashboard counts per action and day, and distinct users, from this index alone (an index-only scan).
    index('audit_logs_action_created_at_user_id_idx').on(t.action, t.createdAt, t.userId),
    check('audit_logs_outcome_check', sql`${t.outcome} in ('success', 'failure')`),
  ],
);

// Embedded mode generates its signing key and MFA key once and keeps them here.
export const instanceSecrets = pgTable('instance_secrets', {
  name: text('name').primaryKey(),
  value: text('value').notNull(),
  createdAt: instant('created_at').notNull().defaultNow(),
});
