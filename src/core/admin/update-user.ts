import { deleteAccount, lockAccount, type MoreWrites } from '../account-state';
import { auditRow, recordAudit } from '../audit';
import type { CoreDeps, RequestContext } from '../deps';
import { AppError } from '../errors';
import type { AdminUserRecord, UserRecord } from '../ports';
import { revokeUserSessions } from '../tokens';
import { refusalToManage, refusalToPatch, type Refusal, type UserPatch } from './rules';
import { adminUserView } from './users';
import type { AdminUserView } from './views';

// PATCH /admin/users/:id and the admin's "revoke every session". The actor is the caller as the database has it now
// (the admin gate read it), never the token's claims. Every outcome, refusals included, leaves an audit row naming it.

/** API.md: `{locked:true}` locks until unlocked, shown as a lockedUntil in the future. */
export const LOCKED_UNTIL_UNLOCKED = new Date('9999-12-31T23:59:59.000Z');

async function target(deps: Pick<CoreDeps, 'db'>, userId: string): Promise<AdminUserRecord> {
  const user = await deps.db.admin.findUser(userId);
  if (!user) throw new AppError('NOT_FOUND', 'User not found');
  return user;
}

async function refuse(deps: CoreDeps, ctx: RequestContext, actor: UserRecord, targetId: string, refusal: Refusal, action: 'ACCESS_DENIED' | 'ROLE_CHANGED' | 'USER_UPDATED_BY_ADMIN'): Promise<never> {
  await recordAudit(deps, ctx, { action, outcome: 'failure', userId: targetId, actorId: actor.id, metadata: { reason: refusal.reason } });
  throw new AppError(refusal.code, refusal.message);
}

export async function updateUserByAdmin(deps: CoreDeps, actor: UserRecord, userId: string, patch: UserPatch, ctx: RequestContext): Promise<AdminUserView> {
  const user = await target(deps, userId);
  const refusal = refusalToPatch(actor, user, patch);
  if (refusal) await refuse(deps, ctx, actor, user.id, refusal, refusal.code === 'CONFLICT' ? 'USER_UPDATED_BY_ADMIN' : 'ACCESS_DENIED');
  const now = () => new Date(deps.clock.nowMs());
  const changes: Record<string, unknown> = {};

  // The role first: it is the one change the database may still refuse (409), and then nothing else has happened.
  if (patch.role !== undefined && patch.role !== user.role) {
    const result = await deps.db.admin.changeRole(user.id, patch.role, now());
    if (result.kind === 'not_found') throw new AppError('NOT_FOUND', 'User not found');
    if (result.kind === 'last_super_admin') {
      const conflict: Refusal = { code: 'CONFLICT', reason: 'last_super_admin', message: 'The last SUPER_ADMIN cannot be demoted' };
      await refuse(deps, ctx, actor, user.id, conflict, 'ROLE_CHANGED');
    }
    if (result.kind === 'changed') {
      // The statement rotated the stamp; ending the sessions makes every new token carry the new role (services
      // that verify our tokens from the JWKS alone trust the `role` claim until it expires).
      await revokeUserSessions(deps, user.id, 'role_changed');
      await recordAudit(deps, ctx, { action: 'ROLE_CHANGED', outcome: 'success', userId: user.id, actorId: actor.id, metadata: { from: result.previousRole, to: patch.role } });
      changes.role = patch.role;
    }
  }
  const emailVerified = patch.emailVerified !== undefined && patch.emailVerified !== (user.emailVerifiedAt !== null) ? patch.emailVerified : undefined;
  const deleted = patch.deleted === true && !user.deletedAt ? true : patch.deleted === false && user.deletedAt ? false : undefined;
  if (emailVerified !== undefined) changes.emailVerified = emailVerified;
  if (patch.locked !== undefined) changes.locked = patch.locked;
  if (deleted !== undefined) changes.deleted = deleted;
  if (Object.keys(changes).length > 0) {
    // The changes below and their audit row are one batch: all of them or none. A lock or a deletion also revokes
    // every session in it (account-state.ts).
    const audit = auditRow(deps, ctx, { action: 'USER_UPDATED_BY_ADMIN', outcome: 'success', userId: user.id, actorId: actor.id, metadata: { changes } });
    const writes: MoreWrites = (w, at) => [
      ...(emailVerified === undefined ? [] : [w.admin.setEmailVerified(user.id, emailVerified, at)]),
      ...(patch.locked === false ? [w.users.unlock(user.id, at)] : []),
      ...(deleted === false ? [w.admin.restore(user.id, at)] : []),
      w.audit.append(audit),
    ];
    if (patch.locked === true) {
      await lockAccount(deps, user.id, LOCKED_UNTIL_UNLOCKED, (w, at) => [...(deleted ? [w.users.softDelete(user.id, at)] : []), ...writes(w, at)]);
    } else if (deleted === true) {
      await deleteAccount(deps, user.id, writes);
    } else {
      await deps.db.atomic((w) => writes(w, now()));
    }
  }
  return adminUserView(deps, user.id);
}

/** Ends every session of the user at once (the admin's own current one survives when it revokes its own). */
export async function revokeSessionsByAdmin(
  deps: CoreDeps,
  actor: UserRecord,
  actorSessionId: string,
  userId: string,
  ctx: RequestContext,
): Promise<number> {
  const user = await target(deps, userId);
  const refusal = refusalToManage(actor, user);
  if (refusal) await refuse(deps, ctx, actor, user.id, refusal, 'ACCESS_DENIED');
  const revoked = await revokeUserSessions(deps, user.id, 'revoked_by_admin', actor.id === user.id ? { exceptSessionId: actorSessionId } : {});
  await recordAudit(deps, ctx, { action: 'SESSION_REVOKED', outcome: 'success', userId: user.id, actorId: actor.id, metadata: { sessionIds: revoked, scope: 'all', by: 'admin' } });
  return revoked.length;
}
