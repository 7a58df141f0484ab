import { recordAudit } from '../audit';
import type { CoreDeps, RequestContext } from '../deps';
import { AppError } from '../errors';
import type { PasskeyRecord } from '../ports';

/** The API.md `Passkey`: never the public key or the credential id. */
export interface PublicPasskey {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  backedUp: boolean;
  transports: string[];
}

export function toPublicPasskey(passkey: PasskeyRecord): PublicPasskey {
  return {
    id: passkey.id,
    name: passkey.name,
    createdAt: passkey.createdAt.toISOString(),
    lastUsedAt: passkey.lastUsedAt?.toISOString() ?? null,
    backedUp: passkey.backedUp,
    transports: passkey.transports,
  };
}

// Another user's passkey id is indistinguishable from an unknown one (404), so ids can't be probed.
const notFound = () => new AppError('NOT_FOUND', 'Passkey not found');

export async function listPasskeys(deps: CoreDeps, userId: string): Promise<PublicPasskey[]> {
  return (await deps.db.passkeys.listForUser(userId)).map(toPublicPasskey);
}

export async function renamePasskey(deps: CoreDeps, userId: string, passkeyId: string, name: string): Promise<PublicPasskey> {
  const renamed = await deps.db.passkeys.rename(userId, passkeyId, name);
  if (!renamed) throw notFound();
  return toPublicPasskey(renamed);
}

/**
 * The credential stops working at once: a login finds credentials by id, and this one is gone. Never the last way to
 * sign in (SECURITY.md, as for an identity's unlink): 409.
 */
export async function removePasskey(deps: CoreDeps, userId: string, passkeyId: string, ctx: RequestContext): Promise<void> {
  const outcome = await deps.db.passkeys.remove(userId, passkeyId);
  if (outcome === 'not_found') throw notFound();
  if (outcome === 'last_sign_in_method') {
    throw new AppError('CONFLICT', 'This is the last way to sign in to the account: set a password, link a provider or add another passkey first');
  }
  await recordAudit(deps, ctx, { action: 'PASSKEY_REMOVED', outcome: 'success', userId, metadata: { passkeyId } });
}
