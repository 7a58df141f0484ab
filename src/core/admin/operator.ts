import { recordAudit } from '../audit';
import type { AuthServices } from '../auth';
import type { CoreDeps, RequestContext } from '../deps';
import { normalizeEmail } from '../email';
import { AppError } from '../errors';
import type { UserRecord } from '../ports';
import { revokeUserSessions } from '../tokens';
import { superAdminCandidate } from './bootstrap';
import { z } from 'zod';

// What an operator does without the API (`npm run admin`, DESIGN.md "Operations"): no actor but the machine, so the
// audit rows name none and say `via: cli`. Users are addressed by e-mail.

const EMAIL = z.email().max(254);
const cli = { via: 'cli' };

/** The e-mail as stored (API.md normalisation), or a VALIDATION_ERROR naming it. */
export function operatorEmail(raw: string): string {
  const email = normalizeEmail(raw);
  if (!EMAIL.safeParse(email).success) throw new AppError('VALIDATION_ERROR', `not an e-mail address: ${JSON.stringify(raw)}`);
  return email;
}

async function userByEmail(deps: Pick<CoreDeps, 'db'>, raw: string): Promise<UserRecord> {
  const email = operatorEmail(raw);
  const user = await deps.db.users.findByEmail(email);
  if (!user) throw new AppError('NOT_FOUND', `no user with e-mail ${email}`);
  return user;
}

/** A new verified SUPER_ADMIN; an existing account is refused (promote it instead, its password stays its own). */
export async function createSuperAdmin(
  deps: CoreDeps,
  services: Pick<AuthServices, 'isCommonPassword'>,
  input: { email: string; password: string },
  ctx: RequestContext,
): Promise<UserRecord> {
  const email = operatorEmail(input.email);
  const made = await superAdminCandidate(deps, services, email, input.password);
  if (made.refused !== undefined) throw new AppError('VALIDATION_ERROR', `password refused: ${made.refused}`);
  const user = await deps.db.users.create(made.candidate);
  if (!user) throw new AppError('CONFLICT', `a user with e-mail ${email} exists already; use \`promote ${email}\``);
  await recordAudit(deps, ctx, { action: 'REGISTER', outcome: 'success', userId: user.id, actorId: null, metadata: { ...cli, role: 'SUPER_ADMIN' } });
  return user;
}

/** Makes the user a SUPER_ADMIN. Its sessions live on: a promotion leaves old tokens under-privileged, never over. */
export async function promoteToSuperAdmin(deps: CoreDeps, rawEmail: string, ctx: RequestContext): Promise<'promoted' | 'already'> {
  const user = await userByEmail(deps, rawEmail);
  const result = await deps.db.admin.changeRole(user.id, 'SUPER_ADMIN', new Date(deps.clock.nowMs()));
  if (result.kind !== 'changed') return 'already';
  await recordAudit(deps, ctx, { action: 'ROLE_CHANGED', outcome: 'success', userId: user.id, actorId: null, metadata: { ...cli, from: result.previousRole, to: 'SUPER_ADMIN' } });
  return 'promoted';
}

/** Clears an admin lock or a lockout, and the failure counter. */
export async function unlockUser(deps: CoreDeps, rawEmail: string, ctx: RequestContext): Promise<void> {
  const user = await userByEmail(deps, rawEmail);
  await deps.db.users.unlock(user.id, new Date(deps.clock.nowMs()));
  await recordAudit(deps, ctx, { action: 'USER_UPDATED_BY_ADMIN', outcome: 'success', userId: user.id, actorId: null, metadata: { ...cli, changes: { locked: false } } });
}

/** Ends every session of the user: denied in the key-value store first, so its access tokens die at once too. */
export async function revokeSessionsOf(deps: CoreDeps, rawEmail: string, ctx: RequestContext): Promise<number> {
  const user = await userByEmail(deps, rawEmail);
  const revoked = await revokeUserSessions(deps, user.id, 'revoked_by_operator');
  await recordAudit(deps, ctx, { action: 'SESSION_REVOKED', outcome: 'success', userId: user.id, actorId: null, metadata: { ...cli, scope: 'all', sessionIds: revoked } });
  return revoked.length;
}
