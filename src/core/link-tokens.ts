import { newId, randomToken } from './crypto';
import { sha256Hex } from './crypto';
import type { CoreDeps } from './deps';
import { AppError } from './errors';
import type { OneTimeTokenPurpose } from './ports';

export const VERIFY_EMAIL_TTL_SECONDS = 24 * 3600;
export const RESET_PASSWORD_TTL_SECONDS = 3600;

export const badLink = (reason: string) => new AppError('VALIDATION_ERROR', 'This link is invalid or has expired', undefined, { reason });

export function linkTokenLooksValid(token: string): boolean {
  return /^[A-Za-z0-9_-]{20,200}$/.test(token);
}

/** A one-time link token: 256 random bits, stored only as SHA-256, purpose-bound; the newest of a kind wins. */
export async function issueLinkToken(deps: CoreDeps, userId: string, purpose: OneTimeTokenPurpose, ttlSeconds: number): Promise<string> {
  const { token, record } = await newLinkToken(deps, userId, purpose, ttlSeconds);
  await deps.db.oneTimeTokens.issue(record);
  return token;
}

/** A link token and the record that stores it, for a batch that issues it with other writes (`writes.oneTimeTokens.issue`). */
export async function newLinkToken(deps: Pick<CoreDeps, 'clock' | 'random'>, userId: string, purpose: OneTimeTokenPurpose, ttlSeconds: number) {
  const token = randomToken(deps.random);
  const nowMs = deps.clock.nowMs();
  const record = {
    id: newId(),
    userId,
    purpose,
    tokenHash: await sha256Hex(token),
    createdAt: new Date(nowMs),
    expiresAt: new Date(nowMs + ttlSeconds * 1000),
  };
  return { token, record };
}

