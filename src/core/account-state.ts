import type { CoreDeps } from './deps';
import { revokeUserSessions } from './tokens';

// Changes of an account's state that end every way in at once: the stamp rotates (no sign-in verified before can
// finish), every session is revoked and its access tokens denied. The caller audits (it knows the actor).

/** Soft delete: the row stays for the audit trail; every session and access token dies now. */
export async function deleteAccount(deps: CoreDeps, userId: string): Promise<string[]> {
  return revokeUserSessions(deps, userId, 'account_deleted', {
    change: () => deps.db.users.softDelete(userId, new Date(deps.clock.nowMs())),
  });
}

/** An administrative lock until `until`; every session and access token dies now. */
export async function lockAccount(deps: CoreDeps, userId: string, until: Date): Promise<string[]> {
  return revokeUserSessions(deps, userId, 'account_locked', {
    change: () => deps.db.users.lockUntil(userId, until, new Date(deps.clock.nowMs())),
  });
}
