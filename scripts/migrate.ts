// `npm run db:migrate`: applies migrations/ to DATABASE_URL. Neon hosts (or --neon) go over Neon's HTTP endpoint,
// everything else over TCP with node-postgres. One line per step; the password never appears.
import pg from 'pg';
import {
  migrationsFolder,
  migratorFor,
  runNeonMigrations,
  runPostgresMigrations,
  type MigrationResult,
} from '../src/adapters/db/migrate';

const log = (line: string) => console.log(`db:migrate: ${line}`);

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL is not set (expected a postgres:// or postgresql:// URL)');
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) throw new Error('DATABASE_URL must be a postgres:// or postgresql:// URL');
  const kind = migratorFor(databaseUrl, process.argv.includes('--neon'));
  const { host, pathname } = new URL(databaseUrl);
  log(`target ${host}${pathname} via ${kind}`);
  log(`reading migrations from ${migrationsFolder}`);

  let result: MigrationResult;
  if (kind === 'neon-http') {
    result = await runNeonMigrations(databaseUrl);
  } else {
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
    try {
      result = await runPostgresMigrations(pool);
    } finally {
      await pool.end();
    }
  }
  log(`applied ${result.applied} new migration(s); ${result.total} of ${result.total} in place`);
}

main().catch((error: unknown) => {
  log(`failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
