import type { ErrorCode } from '../errors';
import type { Role } from '../ports';

// Actor-relative limits of the admin API (API.md "Admin"), decided before anything is written. The one rule that
// spans rows — the last SUPER_ADMIN — is decided by the database under row locks (AdminRepository.changeRole).

export interface UserPatch {
  role?: Role | undefined;
  locked?: boolean | undefined;
  emailVerified?: boolean | undefined;
  deleted?: boolean | undefined;
}

export interface Party {
  id: string;
  role: Role;
}

export interface Refusal {
  code: Extract<ErrorCode, 'AUTHORIZATION_ERROR' | 'CONFLICT'>;
  reason: string;
  message: string;
}

/** Why `actor` may not touch `target` at all (revoking sessions included), or null. */
export function refusalToManage(actor: Party, target: Party): Refusal | null {
  const self = actor.id === target.id;
  if (target.role === 'SUPER_ADMIN' && !self) {
    return { code: 'AUTHORIZATION_ERROR', reason: 'super_admin_target', message: 'A SUPER_ADMIN can only be edited by itself' };
  }
  // An ADMIN managing a peer could lock every other admin out; only a SUPER_ADMIN manages admins.
  if (target.role === 'ADMIN' && actor.role !== 'SUPER_ADMIN' && !self) {
    return { code: 'AUTHORIZATION_ERROR', reason: 'admin_target', message: 'Only a SUPER_ADMIN can edit an ADMIN' };
  }
  return null;
}

/** Why `actor` may not apply `patch` to `target`, or null. */
export function refusalToPatch(actor: Party, target: Party, patch: UserPatch): Refusal | null {
  const refusal = refusalToManage(actor, target);
  if (refusal) return refusal;
  // Every real change of role grants or removes ADMIN or SUPER_ADMIN: there are only three roles.
  if (patch.role !== undefined && patch.role !== target.role && actor.role !== 'SUPER_ADMIN') {
    return { code: 'AUTHORIZATION_ERROR', reason: 'role_change', message: 'Only a SUPER_ADMIN can grant or remove ADMIN' };
  }
  // Locking or deleting yourself would end the very session making the call (and could leave no admin at all).
  if (actor.id === target.id && (patch.locked === true || patch.deleted === true)) {
    return { code: 'CONFLICT', reason: 'self_lock_or_delete', message: 'You cannot lock or delete your own account' };
  }
  return null;
}
