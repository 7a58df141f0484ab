import type { SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { Role, SessionRecord, UserRecord } from '../../core/ports';

/** The drizzle database every repository is written against, whichever driver is underneath. */
export type Db = PgDatabase<PgQueryResultHKT>;

export type Row = Record<string, unknown>;

/**
 * Runs one raw statement and returns its rows as objects. node-postgres and neon-http hand back a result with
 * `rows`, PGlite a `Results` with `rows`; anything else is a driver we do not know and fails loudly.
 */
export async function queryRows(db: Db, statement: SQL): Promise<Row[]> {
  return rowsOf(await db.execute(statement));
}

/** The rows of one statement's result, whichever driver (and whether alone or in a batch) ran it. */
export function rowsOf(result: unknown): Row[] {
  const rows = Array.isArray(result) ? result : (result as { rows?: unknown } | null)?.rows;
  if (!Array.isArray(rows)) throw new Error('database driver returned no rows array');
  return rows as Row[];
}

/**
 * Raw rows come back differently per driver (Date, Postgres text "2024-05-01 10:00:00.123+00", or the ISO form
 * inside to_jsonb), so every raw instant goes through here.
 */
export function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'string') {
    // Postgres text output: space instead of T and an offset of "+00" or "+05:30" that Date.parse may not take.
    const iso = value.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
    const parsed = new Date(iso);
    if (!Number.isNaN(parsed.getTime())) return parsed;
  }
  if (typeof value === 'number') return new Date(value);
  throw new Error(`not a timestamp: ${String(value)}`);
}

export function toDateOrNull(value: unknown): Date | null {
  return value === null || value === undefined ? null : toDate(value);
}

function str(value: unknown): string {
  if (typeof value !== 'string') throw new Error(`expected a string, got ${typeof value}`);
  return value;
}

function strOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : str(value);
}

function numOrNull(value: unknown): number | null {
  // bigint columns arrive as strings from raw text output and as numbers inside JSON.
  return value === null || value === undefined ? null : Number(value);
}

export function stringArray(value: unknown): string[] {
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  if (!Array.isArray(parsed) || !parsed.every((v) => typeof v === 'string')) throw new Error('expected a string array');
  return parsed;
}

/** Parses a jsonb column that some paths deliver as text. */
export function jsonObject(value: unknown): Record<string, unknown> {
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('expected a JSON object');
  return parsed as Record<string, unknown>;
}

/** A `users` row in its column names (raw statement or to_jsonb) as the port's record. */
export function userFromRow(value: unknown): UserRecord {
  const row = jsonObject(value);
  return {
    id: str(row.id),
    email: str(row.email),
    name: strOrNull(row.name),
    passwordHash: strOrNull(row.password_hash),
    role: str(row.role) as Role,
    emailVerifiedAt: toDateOrNull(row.email_verified_at),
    mfaSecretEncrypted: strOrNull(row.mfa_secret_encrypted),
    mfaEnabledAt: toDateOrNull(row.mfa_enabled_at),
    mfaLastUsedStep: numOrNull(row.mfa_last_used_step),
    failedLoginCount: Number(row.failed_login_count),
    lockedUntil: toDateOrNull(row.locked_until),
    deletedAt: toDateOrNull(row.deleted_at),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
    lastLoginAt: toDateOrNull(row.last_login_at),
    securityStamp: Number(row.security_stamp),
  };
}

/** A `sessions` row in its column names (raw statement or to_jsonb) as the port's record. */
export function sessionFromRow(value: unknown): SessionRecord {
  const row = jsonObject(value);
  return {
    id: str(row.id),
    userId: str(row.user_id),
    createdAt: toDate(row.created_at),
    lastUsedAt: toDate(row.last_used_at),
    expiresAt: toDate(row.expires_at),
    revokedAt: toDateOrNull(row.revoked_at),
    ipAddress: strOrNull(row.ip_address),
    userAgent: strOrNull(row.user_agent),
    amr: stringArray(row.amr),
  };
}

/** Instants travel as ISO strings cast in SQL, so no driver's own Date serialisation is involved. */
export function iso(date: Date): string {
  return date.toISOString();
}
