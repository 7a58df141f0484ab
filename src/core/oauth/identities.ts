import { recordAudit } from '../audit';
import type { CoreDeps, RequestContext } from '../deps';
import { AppError } from '../errors';

/** GET /users/me/identities: API.md `{provider, email, linkedAt}`, oldest first. */
export async function listIdentities(deps: CoreDeps, userId: string) {
  const identities = await deps.db.oauthAccounts.listForUser(userId);
  return identities.map((identity) => ({ provider: identity.provider, email: identity.email, linkedAt: identity.linkedAt.toISOString() }));
}

/** DELETE /users/me/identities/:provider: never the last way to sign in (decided by the database in one statement). */
export async function unlinkIdentity(deps: CoreDeps, userId: string, provider: string, ctx: RequestContext): Promise<void> {
  const outcome = await deps.db.oauthAccounts.unlink(userId, provider);
  if (outcome === 'not_found') throw new AppError('NOT_FOUND', 'No identity of this provider is linked');
  if (outcome === 'last_sign_in_method') {
    throw new AppError('CONFLICT', 'This is the last way to sign in to the account: set a password or link another provider first');
  }
  await recordAudit(deps, ctx, { action: 'OAUTH_UNLINKED', outcome: 'success', userId, metadata: { provider } });
}
