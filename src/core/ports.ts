// The ports: everything the domain needs from the world. Implementations live in src/adapters.
// Rule: every operation is atomic on its own (no read-then-write across two calls).
import type { PasskeyRepository } from './passkey-ports';
import type { OAuthAccountRepository } from './ports-oauth';
import type { AdminRepository } from './ports-admin';
import type { MfaRepository } from './ports-mfa';
import type { AtomicDatabase } from './ports-atomic';
import type { AuditRepository, SessionAuditRow } from './ports-audit';

export type * from './passkey-ports';
export type * from './ports-oauth';
export type * from './ports-admin';
export type * from './ports-mfa';
export type * from './ports-atomic';
export type * from './ports-audit';

export type Role = 'USER' | 'ADMIN' | 'SUPER_ADMIN';

export interface Clock {
  nowMs(): number;
}

export interface Random {
  /** Cryptographically secure random bytes. */
  bytes(length: number): Uint8Array;
}

// ---------------------------------------------------------------- passwords

export interface PasswordHasher {
  /** Argon2id PHC string ($argon2id$v=19$m=..,t=..,p=..$salt$hash). */
  hash(password: string): Promise<string>;
  /** Verifies any Argon2id PHC string, whatever its parameters. Malformed input verifies false. */
  verify(phc: string, password: string): Promise<boolean>;
  /** True when the hash was made with parameters other than the configured ones. */
  needsRehash(phc: string): boolean;
}

// ---------------------------------------------------------------- key-value

export interface RateLimitResult {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Epoch milliseconds at which the window has room again. */
  resetAtMs: number;
}

export interface KeyValueStore {
  readonly kind: 'upstash' | 'redis' | 'embedded';
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  get(key: string): Promise<string | null>;
  /** Reads and deletes in one step: a one-time value is handed out once. */
  take(key: string): Promise<string | null>;
  /** Adds one and returns the new count; the TTL starts when the counter is created. */
  increment(key: string, ttlSeconds: number): Promise<number>;
  delete(key: string): Promise<void>;
  /** True when any of the keys exists, in one round trip (denylist: jti and sid together). */
  existsAny(keys: readonly string[]): Promise<boolean>;
  /** Counts one request in a sliding window of `windowSeconds` and says whether it is within `limit`. */
  hitSlidingWindow(key: string, limit: number, windowSeconds: number): Promise<RateLimitResult>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------- mail

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  readonly kind: 'dev' | 'smtp' | 'http';
  send(message: MailMessage): Promise<void>;
  /** Releases pooled connections (SMTP) at shutdown. */
  close?(): Promise<void>;
}

// ---------------------------------------------------------------- database records

export interface UserRecord {
  id: string;
  email: string;
  name: string | null;
  passwordHash: string | null;
  role: Role;
  emailVerifiedAt: Date | null;
  mfaSecretEncrypted: string | null;
  mfaEnabledAt: Date | null;
  mfaLastUsedStep: number | null;
  failedLoginCount: number;
  lockedUntil: Date | null;
  deletedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  lastLoginAt: Date | null;
  /** Changes whenever sign-ins verified against the previous state must no longer succeed. */
  securityStamp: number;
}

export interface NewUser {
  id: string;
  email: string;
  name: string | null;
  passwordHash: string | null;
  role: Role;
  emailVerifiedAt: Date | null;
  createdAt: Date;
}

export interface SessionRecord {
  id: string;
  userId: string;
  createdAt: Date;
  lastUsedAt: Date;
  /** Absolute end of the session: no refresh succeeds after it. */
  expiresAt: Date;
  revokedAt: Date | null;
  ipAddress: string | null;
  userAgent: string | null;
  amr: string[];
}

export interface NewSession {
  id: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date;
  ipAddress: string | null;
  userAgent: string | null;
  amr: string[];
  /** The user's security stamp that the sign-in verified against. */
  securityStamp: number;
}

export interface NewRefreshToken {
  id: string;
  sessionId: string;
  tokenHash: string;
  parentId: string | null;
  createdAt: Date;
  expiresAt: Date;
}

export type RotateOutcome =
  /** The parent was live and is now spent; the child was stored. */
  | { kind: 'rotated'; session: SessionRecord; user: UserRecord }
  /** The parent was already spent; its spending time and live child (if any) say whether this is a grace-window retry. */
  | {
      kind: 'spent';
      session: SessionRecord;
      user: UserRecord;
      parentId: string;
      spentAt: Date;
      childTokenHash: string | null;
      childLive: boolean;
    }
  /** Unknown token, expired token, revoked session, or a user who may no longer sign in. */
  | { kind: 'invalid' };

export interface UserRepository {
  /** Inserts the user; null when the e-mail is already registered (unique violation), never a throw for that. */
  create(user: NewUser): Promise<UserRecord | null>;
  findById(id: string): Promise<UserRecord | null>;
  findByEmail(email: string): Promise<UserRecord | null>;
  updateName(id: string, name: string | null, now: Date): Promise<UserRecord | null>;
  /**
   * Replaces the password hash only while it is still `expectedHash` (compare-and-set: a re-hash on login never
   * writes an old password over a concurrent change). The stamp is unchanged: it is the same password.
   */
  rehashPassword(id: string, expectedHash: string, passwordHash: string, now: Date): Promise<boolean>;
  /**
   * Sets a new password and rotates the security stamp in one statement, so no sign-in verified against the old
   * password can start a session afterwards. `expectedHash` makes it a compare-and-set (change-password);
   * `keepSessionId` carries that one session over to the new stamp; `reset` also clears the lock and the failure
   * counter and marks the e-mail verified (the link proved the mailbox). Null when the user is gone or the hash moved.
   */
  changePassword(
    id: string,
    passwordHash: string,
    now: Date,
    options: { expectedHash?: string; keepSessionId?: string; reset?: boolean },
  ): Promise<UserRecord | null>;
  /**
   * Counts one failed secret in one statement: the count starts again after a lock has lapsed, and the account
   * locks once when it reaches `threshold` (`lockedUntil` is set only for the call that locked it).
   */
  recordLoginFailure(id: string, now: Date, policy: { threshold: number; lockSeconds: number }): Promise<{ failures: number; lockedUntil: Date | null }>;
  /** Locks until `until` and rotates the security stamp (an admin lock ends sign-ins in flight too). */
  lockUntil(id: string, until: Date, now: Date): Promise<void>;
  /** Clears lockedUntil and the failure counter. */
  unlock(id: string, now: Date): Promise<void>;
  markEmailVerified(id: string, now: Date): Promise<UserRecord | null>;
  /** Soft delete: the row stays (audit, foreign keys), the account can no longer sign in; rotates the stamp. */
  softDelete(id: string, now: Date): Promise<void>;
  /** Rotates the security stamp (MFA off, role change); `keepSessionId` carries that session over. Null if no user. */
  rotateSecurityStamp(id: string, now: Date, keepSessionId?: string): Promise<UserRecord | null>;
}

export interface SessionCreateOptions {
  recordSignIn: boolean;
  /** Appended by the same statement, for the session's user, when the session is created. */
  audit?: SessionAuditRow;
}

export interface SessionRepository {
  /**
   * Creates the session and its first refresh token in one atomic statement, only while the user is not deleted,
   * not locked at `session.createdAt`, and still has `session.securityStamp`; false (nothing created) otherwise.
   * With `recordSignIn` the same statement stamps lastLoginAt and clears the failure counter; with `audit` it also
   * appends that row when (and only when) the session is created.
   */
  createWithRefreshToken(session: NewSession, token: NewRefreshToken, options: SessionCreateOptions): Promise<boolean>;
  /**
   * Spends the parent token and stores its child in one atomic conditional statement, so two concurrent
   * rotations of one token can never both mint children. Refuses (invalid) expired tokens, revoked or
   * expired sessions, sessions whose security stamp is no longer the user's, and users deleted or locked at `now`.
   * With `audit`, the same statement appends that row (for the session's user) when it rotates, and only then.
   */
  rotateRefreshToken(parentHash: string, child: Omit<NewRefreshToken, 'parentId' | 'sessionId'>, now: Date, audit?: SessionAuditRow): Promise<RotateOutcome>;
  findById(id: string): Promise<SessionRecord | null>;
  listActiveForUser(userId: string, now: Date): Promise<SessionRecord[]>;
  /** Revokes one session of this user; false when it is not theirs or already revoked. */
  revoke(userId: string, sessionId: string, now: Date, reason: string): Promise<boolean>;
  /** Revokes every active session of the user except `exceptSessionId`; returns the revoked ids. */
  revokeAllForUser(userId: string, now: Date, reason: string, exceptSessionId?: string): Promise<string[]>;
  touch(sessionId: string, now: Date): Promise<void>;
  /**
   * Deletes up to `limit` sessions that expired or were revoked before `before` (with their refresh tokens) and up to
   * `limit` refresh tokens that expired before it; `removed` counts every row, `done` says nothing more matched.
   */
  purgeExpired(before: Date, limit: number): Promise<PurgeBatch>;
  /** Sessions neither revoked nor expired at `now`, all users together (the auth_active_sessions gauge). */
  countActive(now: Date): Promise<number>;
}

export type OneTimeTokenPurpose = 'verify_email' | 'reset_password';

export interface OneTimeTokenRepository {
  /** Stores a new token hash; older unused tokens of the same user and purpose stop working (newest wins). */
  issue(input: { id: string; userId: string; purpose: OneTimeTokenPurpose; tokenHash: string; createdAt: Date; expiresAt: Date }): Promise<void>;
  /** The user id of a live token without using it up (to check input before spending the link); consume decides. */
  peek(tokenHash: string, purpose: OneTimeTokenPurpose, now: Date): Promise<string | null>;
  /** Marks the token used and returns its user id, once; null when unknown, used, expired or of another purpose. */
  consume(tokenHash: string, purpose: OneTimeTokenPurpose, now: Date): Promise<string | null>;
  /** Deletes up to `limit` tokens that expired or were used before `before`. */
  purgeExpired(before: Date, limit: number): Promise<PurgeBatch>;
}

/** One bounded step of a purge: rows deleted, and whether the step found fewer than its limit (nothing left). */
export interface PurgeBatch {
  removed: number;
  done: boolean;
}

export interface SecretRepository {
  get(name: string): Promise<string | null>;
  /** Returns the stored value of `name`, storing `candidate` first if there is none (first writer wins). */
  getOrCreate(name: string, candidate: string): Promise<string>;
  /** Stores every entry (replacing earlier values) in one statement: all of them or none. */
  putAll(entries: Readonly<Record<string, string>>): Promise<void>;
}

export interface Database extends AtomicDatabase {
  readonly kind: 'pglite' | 'postgres' | 'neon';
  users: UserRepository;
  sessions: SessionRepository;
  oneTimeTokens: OneTimeTokenRepository;
  oauthAccounts: OAuthAccountRepository;
  mfa: MfaRepository;
  audit: AuditRepository;
  admin: AdminRepository;
  secrets: SecretRepository;
  passkeys: PasskeyRepository;
  ping(): Promise<void>;
  close(): Promise<void>;
}
