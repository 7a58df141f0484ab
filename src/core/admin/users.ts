import type { CoreDeps } from '../deps';
import { AppError } from '../errors';
import type { AuditQuery, PageOf, UserListQuery } from '../ports';
import { toPublicSession, type PublicSession } from '../sessions';
import { toAdminUser, toAuditEntry, type AdminUserView, type AuditEntryView } from './views';

// The admin's reads: pages of users and of the audit trail, and one user with its sessions and recent audit rows.

export const RECENT_AUDIT_ROWS = 20;

export interface Paged<T> {
  items: T[];
  page: number;
  limit: number;
  total: number;
  totalPages: number;
}

function paged<T, R>(result: PageOf<R>, query: { page: number; limit: number }, view: (row: R) => T): Paged<T> {
  return { items: result.items.map(view), page: query.page, limit: query.limit, total: result.total, totalPages: Math.ceil(result.total / query.limit) };
}

export async function listUsers(deps: Pick<CoreDeps, 'db' | 'clock'>, query: Omit<UserListQuery, 'now'>): Promise<Paged<AdminUserView>> {
  const result = await deps.db.admin.listUsers({ ...query, now: new Date(deps.clock.nowMs()) });
  return paged(result, query, toAdminUser);
}

export async function listAudit(deps: Pick<CoreDeps, 'db'>, query: AuditQuery): Promise<Paged<AuditEntryView>> {
  return paged(await deps.db.admin.listAudit(query), query, toAuditEntry);
}

export async function adminUserView(deps: Pick<CoreDeps, 'db'>, userId: string): Promise<AdminUserView> {
  const user = await deps.db.admin.findUser(userId);
  if (!user) throw new AppError('NOT_FOUND', 'User not found');
  return toAdminUser(user);
}

export interface UserDetail {
  user: AdminUserView;
  /** Active sessions; `current` is always false (none of them is the admin's). */
  sessions: PublicSession[];
  recentAudit: AuditEntryView[];
}

export async function userDetail(deps: Pick<CoreDeps, 'db' | 'clock'>, userId: string): Promise<UserDetail> {
  const user = await adminUserView(deps, userId);
  const [sessions, audit] = await Promise.all([
    deps.db.sessions.listActiveForUser(userId, new Date(deps.clock.nowMs())),
    deps.db.audit.listForUser(userId, RECENT_AUDIT_ROWS),
  ]);
  return { user, sessions: sessions.map((s) => toPublicSession(s, null)), recentAudit: audit.map(toAuditEntry) };
}
