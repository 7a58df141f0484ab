import type { CoreDeps } from './deps';
import type { AtomicWrites, Step } from './ports';
import { revokeUserSessionsWith } from './tokens';

// Changes of an account's state that end every way in at once: the stamp rotates (no sign-in verified before can
// finish), every session is revoked and its access tokens denied. The change, the revocation and whatever the caller
// adds (its audit row, other changes of the same request) commit in one batch, all or nothing.

/** More writes of the same batch (the caller's audit row, say). */
export type MoreWrites = (w: AtomicWrites, now: Date) => readonly Step<unknown>[];

const none: MoreWrites = () => [];

/** Soft delete: the row stays for the audit trail; every session and access token dies now. */
export async function deleteAccount(deps: CoreDeps, userId: string, more: MoreWrites = none): Promise<string[]> {
  return endAccountSessions(deps, userId, 'account_deleted', (w, now) => w.users.softDelete(userId, now), more);
}

/** An administrative lock until `until`; every session and access token dies now. */
export async function lockAccount(deps: CoreDeps, userId: string, until: Date, more: MoreWrites = none): Promise<string[]> {
  return endAccountSessions(deps, userId, 'account_locked', (w, now) => w.users.lockUntil(userId, until, now), more);
}

async function endAccountSessions(
  deps: CoreDeps,
  userId: string,
  reason: string,
  change: (w: AtomicWrites, now: Date) => Step<void>,
  more: MoreWrites,
): Promise<string[]> {
  const [, revoked] = await revokeUserSessionsWith(deps, userId, reason, {}, (w, revoke, now) => {
    const changed = change(w, now);
    return [changed, revoke(changed), ...more(w, now)] as const;
  });
  return revoked;
}
