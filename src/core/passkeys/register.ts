import { base64url } from 'jose';
import { z } from 'zod';
import { recordAudit } from '../audit';
import { newId, randomToken } from '../crypto';
import type { CoreDeps, RequestContext } from '../deps';
import { describeDevice } from '../device';
import { AppError } from '../errors';
import { consumeOneTimeSecret, issueOneTimeSecret, type OneTimeSecretKind } from '../one-time-secrets';
import type { PasskeyCreationOptions, PasskeyRegistrationResponse } from '../ports';
import { toPublicPasskey, type PublicPasskey } from './manage';

/** A registration challenge: 5 minutes, once, and only for the user who asked for it (SECURITY.md, Passkeys). */
export const PASSKEY_REGISTRATION: OneTimeSecretKind<{ userId: string; challenge: string }> = {
  purpose: 'passkey-registration',
  ttlSeconds: 300,
  // Consumed by its first presentation, right or wrong: there is no second attempt to count.
  maxAttempts: 1,
  payload: z.object({ userId: z.string(), challenge: z.string() }),
};

/** The WebAuthn user handle: our user id's bytes. Stable and free of personal data (WebAuthn L2 §14.6.1). */
export function userHandleOf(userId: string): string {
  return base64url.encode(new TextEncoder().encode(userId));
}

export async function startPasskeyRegistration(deps: CoreDeps, userId: string): Promise<{ challengeId: string; options: PasskeyCreationOptions }> {
  const user = await deps.db.users.findById(userId);
  if (!user || user.deletedAt) throw new AppError('AUTHENTICATION_ERROR', 'Invalid or missing access token');
  const challenge = randomToken(deps.random);
  const options = await deps.passkeyVerifier.registrationOptions({
    challenge,
    user: { handle: userHandleOf(user.id), name: user.email, displayName: user.name ?? user.email },
    // The browser then refuses to make a second passkey for this account on an authenticator that has one.
    exclude: await deps.db.passkeys.listForUser(user.id),
  });
  const { token } = await issueOneTimeSecret(deps, PASSKEY_REGISTRATION, { userId: user.id, challenge });
  return { challengeId: token, options };
}

const refused = (path: 'challengeId' | 'response', message: string) =>
  new AppError('VALIDATION_ERROR', 'The passkey could not be registered', [{ path, message }]);

/** Any failure is a 400 and stores nothing; the challenge is spent either way. */
export async function finishPasskeyRegistration(
  deps: CoreDeps,
  userId: string,
  input: { challengeId: string; response: PasskeyRegistrationResponse; name?: string | undefined },
  ctx: RequestContext,
): Promise<PublicPasskey> {
  const pending = await consumeOneTimeSecret(deps, PASSKEY_REGISTRATION, input.challengeId);
  if (!pending || pending.userId !== userId) throw refused('challengeId', 'Unknown, used or expired challenge');
  const verified = await deps.passkeyVerifier.verifyRegistration(input.response, pending.challenge);
  if (!verified.verified) throw refused('response', `The authenticator's response was refused (${verified.reason})`);
  const passkey = await deps.db.passkeys.create({
    id: newId(),
    userId,
    credentialId: verified.credentialId,
    publicKey: verified.publicKey,
    signCount: verified.signCount,
    transports: verified.transports,
    backedUp: verified.backedUp,
    aaguid: verified.aaguid,
    name: input.name ?? describeDevice(ctx.userAgent),
    createdAt: new Date(deps.clock.nowMs()),
  });
  if (!passkey) throw new AppError('CONFLICT', 'This passkey is registered already');
  await recordAudit(deps, ctx, {
    action: 'PASSKEY_ADDED',
    outcome: 'success',
    userId,
    metadata: { passkeyId: passkey.id, aaguid: passkey.aaguid, backedUp: passkey.backedUp, userVerified: verified.userVerified },
  });
  return toPublicPasskey(passkey);
}
