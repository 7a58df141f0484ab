// Migrations: applied once per database, safe when two Node processes start together, and `npm run db:migrate`.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migratorFor, runNeonMigrations, runPostgresMigrations } from '../../src/adapters/db/migrate';
import { createFreshDatabase, openNeonBridge, queryDatabase, type FreshDatabase, type NeonBridgeUrls } from '../support/db-targets';

const run = promisify(execFile);
const repoRoot = new URL('../..', import.meta.url).pathname;

async function tablesOf(url: string): Promise<string[]> {
  const rows = await queryDatabase<{ name: string }>(url, "select table_name as name from information_schema.tables where table_schema = 'public' order by 1");
  return rows.map((row) => row.name);
}

const MODEL_TABLES = [
  'audit_logs', 'backup_codes', 'instance_secrets', 'oauth_accounts', 'one_time_tokens', 'refresh_tokens', 'sessions', 'users',
];

describe('database migrations', () => {
  const fresh: FreshDatabase[] = [];
  const freshDatabase = async () => {
    const database = await createFreshDatabase();
    fresh.push(database);
    return database;
  };
  let bridge: NeonBridgeUrls | undefined;
  beforeAll(async () => {
    bridge = await openNeonBridge();
  });
  afterAll(async () => {
    await bridge?.close();
    for (const database of fresh) await database.drop();
  });

  it('creates the whole model on an empty database and applies nothing the second time', async () => {
    const database = await freshDatabase();
    const pool = new pg.Pool({ connectionString: database.url });
    try {
      const first = await runPostgresMigrations(pool);
      expect(first.applied).toBe(first.total);
      expect(first.total).toBeGreaterThan(0);
      expect(await runPostgresMigrations(pool)).toEqual({ total: first.total, applied: 0 });
    } finally {
      await pool.end();
    }
    expect(await tablesOf(database.url)).toEqual(expect.arrayContaining(MODEL_TABLES));
  });

  it('applies each migration once when two processes migrate the same database at the same time', async () => {
    const database = await freshDatabase();
    const pools = [new pg.Pool({ connectionString: database.url }), new pg.Pool({ connectionString: database.url })];
    try {
      const results = await Promise.all(pools.map((pool) => runPostgresMigrations(pool)));
      const total = results[0]!.total;
      expect(results.map((r) => r.applied).sort()).toEqual([0, total]);
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });

  it('migrates over Neon HTTP and applies nothing the second time', async () => {
    const database = await freshDatabase();
    const first = await runNeonMigrations(bridge!.urlFor(database.name));
    expect(first.applied).toBe(first.total);
    expect(await runNeonMigrations(bridge!.urlFor(database.name))).toEqual({ total: first.total, applied: 0 });
    expect(await tablesOf(database.url)).toEqual(expect.arrayContaining(MODEL_TABLES));
  });

  it('`npm run db:migrate` migrates DATABASE_URL and reports each step without the password', async () => {
    const database = await freshDatabase();
    const url = new URL(database.url);
    url.password = 'secret-password-123';
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/migrate.ts'], {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: url.toString() },
    });
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^db:migrate: target 127\.0\.0\.1:\d+\/authgate_\w+ via node-postgres$/);
    const [, applied, total] = /^db:migrate: applied (\d+) new migration\(s\); (\d+) of \2 in place$/.exec(lines.at(-1) ?? '') ?? [];
    expect(applied).toBe(total);
    expect(stdout).not.toContain('secret-password-123');
    expect(await tablesOf(database.url)).toEqual(expect.arrayContaining(MODEL_TABLES));
  });

  it('`npm run db:migrate` fails with one clear line when DATABASE_URL is missing', async () => {
    const env = { ...process.env };
    delete env.DATABASE_URL;
    const failure = await run(process.execPath, ['--import', 'tsx', 'scripts/migrate.ts'], { cwd: repoRoot, env }).catch(
      (error: { code: number; stdout: string }) => error,
    );
    expect(failure).toMatchObject({ code: 1, stdout: 'db:migrate: failed: DATABASE_URL is not set (expected a postgres:// or postgresql:// URL)\n' });
  });

  it('chooses the Neon HTTP migrator for Neon hosts or --neon, and TCP for any other server', () => {
    expect(migratorFor('postgresql://u:p@ep-cool-darkness-123456.eu-central-1.aws.neon.tech/neondb?sslmode=require')).toBe('neon-http');
    expect(migratorFor('postgres://u:p@db.internal:5432/app')).toBe('node-postgres');
    expect(migratorFor('postgres://u:p@neon.tech.evil.example/app')).toBe('node-postgres');
    expect(migratorFor('postgres://u:p@db.internal:5432/app', true)).toBe('neon-http');
  });
});
