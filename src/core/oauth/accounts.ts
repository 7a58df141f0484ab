import { auditRow } from '../audit';
import { WriteConflictError } from '../errors';
import { newId } from '../crypto';
import type { CoreDeps, RequestContext } from '../deps';
import { normalizeEmail } from '../email';
import type { OAuthIdentity, UserRecord } from '../ports';
import { revokeUserSessionsWith } from '../tokens';
import { isLocked } from '../users';
import { OAuthFailure } from './failure';

// Who a provider's answer signs in: the identity (provider, subject) first; otherwise the account of the e-mail,
// but only when the provider vouches for it; otherwise a new account. Each write is one atomic batch of conditional
// statements (the account with its audit rows); a concurrent sign-in that wins a race makes the loser look again
// instead of failing.

const ATTEMPTS = 3;
const CONTROL = /[\u0000-\u001f\u007f]/;

export interface ResolvedAccount {
  user: UserRecord;
  isNewUser: boolean;
}

function usable(deps: CoreDeps, user: UserRecord): UserRecord {
  if (user.deletedAt || isLocked(user, deps.clock.nowMs())) throw new OAuthFailure('account_unavailable');
  return user;
}

/** An address we may store and mail: the provider's text is untrusted input (no CR/LF for mail headers). */
function vouchedEmail(identity: OAuthIdentity): string | null {
  if (!identity.email || !identity.emailVerified) return null;
  const email = normalizeEmail(identity.email);
  return email.length <= 254 && !CONTROL.test(email) && /^[^\s@]+@[^\s@]+$/.test(email) ? email : null;
}

function displayName(identity: OAuthIdentity): string | null {
  const name = identity.name?.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 100);
  return name || null;
}

export async function resolveOAuthAccount(deps: CoreDeps, provider: string, identity: OAuthIdentity, ctx: RequestContext): Promise<ResolvedAccount> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const known = await deps.db.oauthAccounts.findUser(provider, identity.subject);
    if (known) return { user: usable(deps, known), isNewUser: false };
    // Linking or creating by an e-mail the provider does not vouch for would let anyone who can type an address
    // into a provider's profile take over, or squat, that address's account (OIDC Core §5.7).
    const email = vouchedEmail(identity);
    if (!email) throw new OAuthFailure('email_not_verified');
    const existing = await deps.db.users.findByEmail(email);
    const resolved = existing
      ? await linkToAccount(deps, usable(deps, existing), provider, { ...identity, email }, ctx)
      : await createAccount(deps, provider, { ...identity, email }, ctx);
    if (resolved) return resolved;
  }
  throw new OAuthFailure('identity_conflict');
}

async function createAccount(deps: CoreDeps, provider: string, identity: OAuthIdentity & { email: string }, ctx: RequestContext): Promise<ResolvedAccount | null> {
  const now = new Date(deps.clock.nowMs());
  // Verified (the provider vouched for the address) and without a password: it signs in through the provider.
  const candidate = { id: newId(), email: identity.email, name: displayName(identity), passwordHash: null, role: 'USER' as const, emailVerifiedAt: now, createdAt: now };
  // The user, its identity and both audit rows commit together or not at all.
  const [user] = await lostRaceIsNull(() =>
    deps.db.atomic((w) => {
      const created = w.oauthAccounts.createUserWithIdentity(candidate, { id: newId(), provider, providerUserId: identity.subject, email: identity.email, createdAt: now });
      return [
        created,
        w.audit.append(auditRow(deps, ctx, { action: 'REGISTER', outcome: 'success', userId: candidate.id, metadata: { method: 'oauth', provider } }), { when: created }),
        w.audit.append(auditRow(deps, ctx, { action: 'OAUTH_LINKED', outcome: 'success', userId: candidate.id, metadata: { provider } }), { when: created }),
      ] as const;
    }),
  );
  return user ? { user, isNewUser: true } : null;
}

/**
 * Links the identity to the account of its vouched-for e-mail. An account whose address was never verified but has a
 * password may belong to someone who registered the owner's address first and waits for the owner to link
 * (pre-account takeover): the owner gets the account, and that password and every session made with it die. The
 * order fails closed: the sessions are denied in the key-value store first (an outage stops here, nothing written),
 * then one batch links, removes the password and rotates the stamp (one statement), revokes the sessions in the
 * database and audits, all or nothing.
 */
async function linkToAccount(deps: CoreDeps, user: UserRecord, provider: string, identity: OAuthIdentity & { email: string }, ctx: RequestContext): Promise<ResolvedAccount | null> {
  if ((await deps.db.oauthAccounts.listForUser(user.id)).some((linked) => linked.provider === provider)) throw new OAuthFailure('identity_conflict');
  const now = new Date(deps.clock.nowMs());
  const removePassword = user.passwordHash !== null && user.emailVerifiedAt === null;
  const identityRow = { id: newId(), userId: user.id, provider, providerUserId: identity.subject, email: identity.email, createdAt: now };
  const audit = auditRow(deps, ctx, { action: 'OAUTH_LINKED', outcome: 'success', userId: user.id, metadata: { provider, passwordRemoved: removePassword } });
  // Null when the account changed since it was read (nothing written): the caller looks again.
  const [linked] = await lostRaceIsNull<readonly [UserRecord | null, ...unknown[]]>(() =>
    removePassword
      ? revokeUserSessionsWith(deps, user.id, 'oauth_link_removed_password', {}, (w, revoke) => {
          const link = w.oauthAccounts.link(identityRow, { securityStamp: user.securityStamp, removePassword }, now);
          return [link, revoke(link), w.audit.append(audit, { when: link })] as const;
        })
      : deps.db.atomic((w) => {
          const link = w.oauthAccounts.link(identityRow, { securityStamp: user.securityStamp, removePassword }, now);
          return [link, w.audit.append(audit, { when: link })] as const;
        }),
  );
  return linked ? { user: linked, isNewUser: false } : null;
}

/** A concurrent sign-in took the e-mail or the identity first: nothing was written, so look again. */
async function lostRaceIsNull<T extends readonly unknown[]>(write: () => Promise<T>): Promise<T | [null]> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof WriteConflictError) return [null];
    throw error;
  }
}
