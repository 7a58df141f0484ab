import type { UserRecord } from './ports';

export interface PublicUser {
  id: string;
  email: string;
  name: string | null;
  role: UserRecord['role'];
  emailVerified: boolean;
  mfaEnabled: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

/** The API.md `User` object: never hashes, secrets or counters. */
export function toPublicUser(user: UserRecord): PublicUser {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    emailVerified: user.emailVerifiedAt !== null,
    mfaEnabled: user.mfaEnabledAt !== null,
    createdAt: user.createdAt.toISOString(),
    lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
  };
}

export function isLocked(user: UserRecord, nowMs: number): boolean {
  return user.lockedUntil !== null && user.lockedUntil.getTime() > nowMs;
}
