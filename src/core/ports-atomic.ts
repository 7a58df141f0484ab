// The all-or-nothing part of the Database port (re-exported by ports.ts): several writes that commit together or
// not at all. One transaction on PostgreSQL and PGlite; one non-interactive transaction (a batch) on Neon HTTP, which
// has no interactive transactions. So a write never sees the result of an earlier one in JavaScript: ids are made
// up front (newId), and a write that must happen only if an earlier one took effect says so with `when`, a condition
// the database checks inside the same transaction.
import type { AuditRecord, NewRefreshToken, NewSession, NewUser, OneTimeTokenPurpose, SessionCreateOptions, UserRecord, UserRepository } from './ports';
import type { NewOAuthIdentity } from './ports-oauth';

declare const stepResult: unique symbol;

/** One write of an atomic batch: made by AtomicWrites, run by Database.atomic, its result handed back in order. */
export interface Step<T> {
  readonly [stepResult]?: T;
}

export interface StepOptions {
  /** Write only if this earlier step of the same batch took effect (a row inserted or changed by it). */
  when?: Step<unknown>;
}

/** What each step of a batch returned, in the order of the steps. */
export type StepResults<S extends readonly Step<unknown>[]> = { -readonly [K in keyof S]: S[K] extends Step<infer T> ? T : never };

/** The writes that take part in atomic batches; each means what the repository operation of the same name means. */
export interface AtomicWrites {
  users: {
    /** Null (nothing inserted) when the e-mail is already registered. */
    create(user: NewUser): Step<UserRecord | null>;
    changePassword(
      id: string,
      passwordHash: string,
      now: Date,
      options: Parameters<UserRepository['changePassword']>[3],
      step?: StepOptions,
    ): Step<UserRecord | null>;
    lockUntil(id: string, until: Date, now: Date): Step<void>;
    unlock(id: string, now: Date): Step<void>;
    softDelete(id: string, now: Date): Step<void>;
  };
  sessions: {
    createWithRefreshToken(session: NewSession, token: NewRefreshToken, options: SessionCreateOptions): Step<boolean>;
    revokeAllForUser(userId: string, now: Date, reason: string, exceptSessionId?: string, step?: StepOptions): Step<string[]>;
  };
  oneTimeTokens: {
    issue(input: { id: string; userId: string; purpose: OneTimeTokenPurpose; tokenHash: string; createdAt: Date; expiresAt: Date }, step?: StepOptions): Step<void>;
    consume(tokenHash: string, purpose: OneTimeTokenPurpose, now: Date): Step<string | null>;
  };
  mfa: {
    activate(userId: string, secretEncrypted: string, step: number, now: Date): Step<boolean>;
    /** The replay guard (MfaRepository.useTotpStep): false when the step or a later one was used already. */
    useTotpStep(userId: string, step: number, now: Date): Step<boolean>;
    replaceBackupCodes(userId: string, codeHashes: readonly string[], now: Date, step?: StepOptions): Step<boolean>;
    disable(userId: string, now: Date, keepSessionId?: string, step?: StepOptions): Step<UserRecord | null>;
  };
  oauthAccounts: {
    /** A unique key taken by a concurrent writer fails the whole batch with WriteConflictError. */
    createUserWithIdentity(user: NewUser, identity: Omit<NewOAuthIdentity, 'userId'>): Step<UserRecord | null>;
    link(identity: NewOAuthIdentity, expected: { securityStamp: number; removePassword: boolean }, now: Date): Step<UserRecord | null>;
  };
  admin: {
    setEmailVerified(id: string, verified: boolean, now: Date): Step<void>;
    restore(id: string, now: Date): Step<void>;
  };
  audit: {
    append(entry: AuditRecord, step?: StepOptions): Step<void>;
  };
}

export interface AtomicDatabase {
  /**
   * Runs the steps `build` returns, in order, as one transaction: all of them are written or none. A store failure
   * rejects with StoreUnavailableError (nothing written); a unique key taken by a concurrent writer with
   * WriteConflictError (nothing written).
   */
  atomic<const S extends readonly Step<unknown>[]>(build: (writes: AtomicWrites) => S): Promise<StepResults<S>>;
}
