// The admin port (re-exported by ports.ts): what the admin API, the dashboard, the ADMIN_EMAIL bootstrap and the
// operator CLI need beyond the user and session repositories. Every operation is one statement.
import type { AuditOutcome, AuditRecord, NewUser, Role, UserRecord } from './ports';

export type UserStatus = 'active' | 'locked' | 'deleted';

export interface UserListQuery {
  page: number;
  limit: number;
  role?: Role | undefined;
  status?: UserStatus | undefined;
  /** A substring of the e-mail, matched literally: `%` and `_` are characters, not wildcards. */
  search?: string | undefined;
  createdFrom?: Date | undefined;
  createdBefore?: Date | undefined;
  sortBy: 'createdAt' | 'email' | 'lastLoginAt';
  sortOrder: 'asc' | 'desc';
  /** The instant at which "locked" is decided. */
  now: Date;
}

export interface AuditQuery {
  page: number;
  limit: number;
  userId?: string | undefined;
  action?: string | undefined;
  outcome?: AuditOutcome | undefined;
  from?: Date | undefined;
  before?: Date | undefined;
}

export interface PageOf<T> {
  items: T[];
  total: number;
}

/** The user as an admin sees it: the record plus the OAuth providers linked to it. */
export interface AdminUserRecord extends UserRecord {
  oauthProviders: string[];
}

export type RoleChange =
  | { kind: 'changed'; user: UserRecord; previousRole: Role }
  | { kind: 'unchanged'; user: UserRecord }
  | { kind: 'last_super_admin' }
  | { kind: 'not_found' };

export interface DashboardDayFigures {
  /** UTC date, YYYY-MM-DD. */
  date: string;
  signups: number;
  logins: number;
  failedLogins: number;
  activeUsers: number;
}

export interface DashboardTotals {
  users: number;
  verifiedUsers: number;
  mfaUsers: number;
  activeSessions: number;
  lockedUsers: number;
}

export interface AdminRepository {
  listUsers(query: UserListQuery): Promise<PageOf<AdminUserRecord>>;
  findUser(id: string): Promise<AdminUserRecord | null>;
  /**
   * Sets the role and rotates the security stamp in one statement. Refuses to demote the last SUPER_ADMIN that is
   * not deleted, deciding under row locks taken in id order, so two concurrent demotions can never both pass.
   */
  changeRole(id: string, role: Role, now: Date): Promise<RoleChange>;
  setEmailVerified(id: string, verified: boolean, now: Date): Promise<void>;
  /** Undoes a soft delete. */
  restore(id: string, now: Date): Promise<void>;
  /** Newest first. Append-only: there is no update or delete of audit rows anywhere. */
  listAudit(query: AuditQuery): Promise<PageOf<AuditRecord>>;
  /** Figures of [from, before) per UTC date (days without any are left out), and totals at `now`. */
  dashboard(range: { from: Date; before: Date; now: Date }): Promise<{ days: DashboardDayFigures[]; totals: DashboardTotals }>;
  /**
   * The first SUPER_ADMIN: inserts `candidate` (a verified SUPER_ADMIN), or promotes the not-deleted user that has
   * its e-mail without touching the password; `marker` is stored in instance secrets by the same statement.
   * 'deleted' (nothing written) when the e-mail belongs to a deleted account.
   */
  bootstrapSuperAdmin(candidate: NewUser, marker: { name: string; value: string }): Promise<'created' | 'promoted' | 'deleted'>;
}
