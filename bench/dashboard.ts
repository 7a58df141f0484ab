// `node --import tsx bench/dashboard.ts`: the admin dashboard query (and the admin list queries) on 100,000 users,
// 1,000,000 audit rows and 100,000 sessions, on PostgreSQL and on PGlite. PostgreSQL is BENCH_DATABASE_URL (a
// server URL; a fresh database is created and dropped on it) or a throwaway server started from the machine's
// binaries (as the tests do). Bounded loops only; prints a Markdown table. BENCH_USERS / BENCH_AUDIT_ROWS /
// BENCH_SESSIONS scale it; BENCH_TARGETS=postgres (or pglite) runs one database only.
import { PGlite } from '@electric-sql/pglite';
import { cpus, loadavg } from 'node:os';
import pg from 'pg';
import { pgliteDatabase } from '../src/adapters/db/pglite';
import { openPostgresDatabase } from '../src/adapters/db/postgres';
import { dashboardRange } from '../src/core/admin/dashboard';
import type { Database } from '../src/core/ports';
import { startPostgres } from '../test/support/services';
import { seed, type Exec, type Population } from './dashboard-seed';
import { ms, summarize } from './stats';

const population: Population = {
  users: Number(process.env.BENCH_USERS ?? 100_000),
  auditRows: Number(process.env.BENCH_AUDIT_ROWS ?? 1_000_000),
  sessions: Number(process.env.BENCH_SESSIONS ?? 100_000),
};
const WARM_UP = 5;
const SAMPLES = 50;
const NOW = new Date();

interface Target {
  name: string;
  db: Database;
  exec: Exec;
  dispose(): Promise<void>;
}

async function onServer(serverUrl: string, statement: string) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  await client.query(statement).finally(() => client.end());
}

async function postgresTarget(): Promise<Target> {
  const server = process.env.BENCH_DATABASE_URL ? { url: process.env.BENCH_DATABASE_URL, stop: async () => {} } : await startPostgres();
  const name = `authgate_bench_${crypto.randomUUID().replaceAll('-', '')}`;
  await onServer(server.url, `create database ${name}`);
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  const db = await openPostgresDatabase(url.toString());
  const raw = new pg.Client({ connectionString: url.toString() });
  await raw.connect();
  const version = (await raw.query<{ server_version: string }>('show server_version')).rows[0]?.server_version;
  return {
    name: `PostgreSQL ${version}`,
    db,
    exec: (text) => raw.query(text),
    async dispose() {
      await Promise.allSettled([db.close(), raw.end()]);
      await onServer(server.url, `drop database if exists ${name} with (force)`);
      await server.stop();
    },
  };
}

async function pgliteTarget(): Promise<Target> {
  const client = await PGlite.create();
  const db = await pgliteDatabase(client);
  return { name: 'PGlite (in memory)', db, exec: (text) => client.exec(text), dispose: () => db.close() };
}

async function measure(task: () => Promise<unknown>) {
  for (let i = 0; i < WARM_UP; i++) await task();
  const samples: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t0 = performance.now();
    await task();
    samples.push(performance.now() - t0);
  }
  return { ...summarize(samples), minMs: Math.min(...samples) };
}

async function run(open: () => Promise<Target>, rows: string[]) {
  const target = await open();
  try {
    const t0 = performance.now();
    await seed(target.exec, population, NOW);
    const seedMs = performance.now() - t0;
    const { db } = target;
    const queries: [string, () => Promise<unknown>][] = [
      ['dashboard (7 days + totals)', () => db.admin.dashboard(dashboardRange(NOW.getTime()))],
      ['users: newest first, page 1 of 20', () => db.admin.listUsers({ page: 1, limit: 20, sortBy: 'createdAt', sortOrder: 'desc', now: NOW })],
      ['users: e-mail search "user4242"', () => db.admin.listUsers({ page: 1, limit: 20, search: 'user4242', sortBy: 'email', sortOrder: 'asc', now: NOW })],
      ['users: by last login, locked only', () => db.admin.listUsers({ page: 1, limit: 20, status: 'locked', sortBy: 'lastLoginAt', sortOrder: 'desc', now: NOW })],
      ['audit log: page 1, all', () => db.admin.listAudit({ page: 1, limit: 50 })],
      ['audit log: LOGIN_FAILURE, page 10', () => db.admin.listAudit({ page: 10, limit: 50, action: 'LOGIN_FAILURE' })],
    ];
    for (const [what, task] of queries) {
      const s = await measure(task);
      rows.push(`| ${target.name} | ${what} | ${s.count} | ${ms(s.minMs)} | ${ms(s.p50Ms)} | ${ms(s.p95Ms)} | ${ms(s.maxMs)} |`);
    }
    console.error(`${target.name}: seeded in ${(seedMs / 1000).toFixed(1)} s`);
  } finally {
    await target.dispose();
  }
}

async function main() {
  const rows = ['| database | query | runs | min (ms) | p50 (ms) | p95 (ms) | max (ms) |', '| --- | --- | ---: | ---: | ---: | ---: | ---: |'];
  console.error(`seeding ${population.users} users, ${population.auditRows} audit rows, ${population.sessions} sessions per database`);
  const targets = (process.env.BENCH_TARGETS ?? 'postgres,pglite').split(',');
  if (targets.includes('postgres')) await run(postgresTarget, rows);
  if (targets.includes('pglite')) await run(pgliteTarget, rows);
  const load = loadavg().map((n) => n.toFixed(1)).join(', ');
  console.log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim()}, load average at the end ${load}\n`);
  console.log(rows.join('\n'));
}

main().catch((error: unknown) => {
  console.error('bench failed:', error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
