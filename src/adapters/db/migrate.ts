// Node only: reads migrations/ from disk. Workers never migrate (`npm run db:migrate` does it for Neon).
import { fileURLToPath } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { Pool } from 'pg';
import { queryRows, type Db } from './rows';

// The node-postgres migrator and the Neon client are imported by the function that uses them: the embedded mode
// (PGlite) would otherwise load them at every start-up for nothing.

export const migrationsFolder = fileURLToPath(new URL('../../../migrations', import.meta.url));

export interface MigrationResult {
  /** Migrations in migrations/ (the journal). */
  total: number;
  /** Of those, how many this run applied. */
  applied: number;
}

// Any constant works; it only has to be the same in every process that migrates this database.
const MIGRATION_LOCK_KEY = 4_242_017;

async function appliedCount(db: Db): Promise<number> {
  const [table] = await queryRows(db, sql`select to_regclass('drizzle.__drizzle_migrations') is not null as present`);
  if (table?.present !== true) return 0;
  const [row] = await queryRows(db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
  return Number(row?.n ?? 0);
}

async function measured(db: Db, run: () => Promise<void>): Promise<MigrationResult> {
  const total = readMigrationFiles({ migrationsFolder }).length;
  const before = await appliedCount(db);
  await run();
  return { total, applied: (await appliedCount(db)) - before };
}

export async function runPgliteMigrations(client: PGlite): Promise<MigrationResult> {
  const db = drizzlePglite({ client });
  return measured(db, () => migratePglite(db, { migrationsFolder }));
}

/**
 * Migrates over one pooled connection holding an advisory lock, so several Node processes starting at once
 * apply each migration exactly once instead of racing on CREATE TABLE.
 */
export async function runPostgresMigrations(pool: Pool): Promise<MigrationResult> {
  const [{ drizzle }, { migrate }] = await Promise.all([import('drizzle-orm/node-postgres'), import('drizzle-orm/node-postgres/migrator')]);
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const db = drizzle({ client });
      return await measured(db, () => migrate(db, { migrationsFolder }));
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

/**
 * Neon over HTTP: statement by statement with no transaction around them, exactly as drizzle's neon-http migrator
 * (drizzle-orm/neon-http/migrator) runs them: the migrations newer than the last recorded, then their journal rows.
 */
export async function runNeonMigrations(url: string): Promise<MigrationResult> {
  const [{ neonDrizzle }, { neonHttp }] = await Promise.all([import('./neon'), import('./neon-http')]);
  const db = neonDrizzle(neonHttp(url));
  return measured(db, async () => {
    const migrations = readMigrationFiles({ migrationsFolder });
    await db.execute(sql`CREATE SCHEMA IF NOT EXISTS "drizzle"`);
    await db.execute(sql`CREATE TABLE IF NOT EXISTS "drizzle"."__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`);
    const [last] = await queryRows(db, sql`select id, hash, created_at from "drizzle"."__drizzle_migrations" order by created_at desc limit 1`);
    const pending = migrations.filter((migration) => !last || Number(last.created_at) < migration.folderMillis);
    for (const migration of pending) for (const statement of migration.sql) await db.execute(sql.raw(statement));
    for (const migration of pending) {
      await db.execute(sql`insert into "drizzle"."__drizzle_migrations" ("hash", "created_at") values(${migration.hash}, ${migration.folderMillis})`);
    }
  });
}

export type MigratorKind = 'neon-http' | 'node-postgres';

/** Which migrator `npm run db:migrate` uses: Neon's hosts (or `--neon`) over HTTP, any other server over TCP. */
export function migratorFor(databaseUrl: string, forceNeon = false): MigratorKind {
  if (forceNeon) return 'neon-http';
  const host = new URL(databaseUrl).hostname.toLowerCase();
  return host === 'neon.tech' || host.endsWith('.neon.tech') ? 'neon-http' : 'node-postgres';
}
