// Prepared statements on node-postgres (src/adapters/db/pg-prepared.ts), against the real PostgreSQL: each statement
// text is prepared once per connection and planned generically after PostgreSQL's five custom plans; a connection path
// that loses prepared statements (a pooler in transaction mode) turns naming off without failing a request.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPostgresMigrations } from '../../src/adapters/db/migrate';
import { postgresDatabase } from '../../src/adapters/db/postgres';
import { preparingClient } from '../../src/adapters/db/pg-prepared';
import { statementNames } from '../../src/adapters/db/statement-names';
import type { Database } from '../../src/core/ports';
import { createFreshDatabase, type FreshDatabase } from '../support/db-targets';

let fresh: FreshDatabase;

beforeAll(async () => {
  fresh = await createFreshDatabase();
  const migrations = new pg.Pool({ connectionString: fresh.url, max: 1 });
  await runPostgresMigrations(migrations).finally(() => migrations.end());
});
afterAll(async () => fresh?.drop());

interface Prepared {
  statement: string;
  generic_plans: string;
  custom_plans: string;
}

/** Runs `check` on a pool of one connection, so what the database holds for it is what the next statement meets. */
async function onOne(check: (one: { pool: pg.Pool; db: Database; refusals: Error[] }) => Promise<void>, max?: number): Promise<void> {
  const refusals: Error[] = [];
  const pool = new pg.Pool({ connectionString: fresh.url, max: 1, Client: preparingClient(statementNames(max), (error) => refusals.push(error)) });
  try {
    await check({ pool, db: postgresDatabase(pool), refusals });
  } finally {
    await pool.end();
  }
}

async function preparedOn(pool: pg.Pool): Promise<Prepared[]> {
  // Without parameters, so this statement itself is not prepared.
  const result = await pool.query<Prepared>('select statement, generic_plans::text, custom_plans::text from pg_prepared_statements');
  return result.rows;
}

const unknownToken = 'f'.repeat(64);
const at = new Date('2026-11-30T12:00:00Z');

describe('prepared statements on node-postgres', () => {
  it('prepares a repository statement once per connection, and PostgreSQL settles on its generic plan', () =>
    onOne(async ({ pool, db }) => {
      for (let i = 0; i < 8; i++) expect(await db.sessions.findById('nobody')).toBeNull();
      const prepared = await preparedOn(pool);
      expect(prepared).toHaveLength(1);
      expect(prepared[0]!.statement).toMatch(/from "sessions"/);
      expect(Number(prepared[0]!.custom_plans)).toBe(5);
      expect(Number(prepared[0]!.generic_plans)).toBe(3);
    }));

  it('runs texts past the cap unprepared, with the same answers', () =>
    onOne(async ({ pool, db }) => {
      expect(await db.sessions.findById('nobody')).toBeNull();
      const rotated = await db.sessions.rotateRefreshToken(unknownToken, { id: 'child-1', tokenHash: 'e'.repeat(64), createdAt: at, expiresAt: at }, at);
      expect(rotated).toEqual({ kind: 'invalid' });
      expect((await preparedOn(pool)).map((row) => row.statement)).toEqual([expect.stringMatching(/from "sessions"/)]);
    }, 1));

  it('answers the statement a pooler’s lost preparation refused, reports it once, and prepares nothing from then on', () =>
    onOne(async ({ pool, db, refusals }) => {
      expect(await db.sessions.findById('nobody')).toBeNull();
      // As a pooler in transaction mode does: the next statement lands on a server connection that never saw it.
      await pool.query('deallocate all');
      expect(await db.sessions.findById('nobody')).toBeNull();
      expect(refusals).toHaveLength(1);
      expect(refusals[0]).toMatchObject({ code: '26000' });
      await pool.query('deallocate all');
      for (let i = 0; i < 3; i++) expect(await db.sessions.findById('nobody')).toBeNull();
      // The user reads carry names of their own (drizzle's prepare): they go unnamed now too.
      for (let i = 0; i < 3; i++) expect(await db.users.findById('nobody')).toBeNull();
      for (let i = 0; i < 3; i++) expect(await db.users.findByEmail('nobody@example.com')).toBeNull();
      expect(await preparedOn(pool)).toEqual([]);
      expect(refusals).toHaveLength(1);
    }));

  it('falls back the same way for a statement named elsewhere (drizzle’s prepare), the first one to be refused', () =>
    onOne(async ({ pool, db, refusals }) => {
      expect(await db.users.findById('nobody')).toBeNull();
      expect((await preparedOn(pool)).map((row) => row.statement)).toEqual([expect.stringMatching(/from "users"/)]);
      await pool.query('deallocate all');
      expect(await db.users.findById('nobody')).toBeNull();
      expect(refusals).toEqual([expect.objectContaining({ code: '26000' })]);
      expect(await preparedOn(pool)).toEqual([]);
    }));

  it('falls back on a client checked out for a transaction (the promise form of query)', async () => {
    const refusals: Error[] = [];
    const Client = preparingClient(statementNames(), (error) => refusals.push(error));
    const client = new Client({ connectionString: fresh.url });
    await client.connect();
    try {
      const add = (n: number) => client.query({ text: 'select $1::int + 1 as n' }, [n]);
      expect((await add(1)).rows).toEqual([{ n: 2 }]);
      expect((await client.query('select name from pg_prepared_statements')).rows).toEqual([{ name: 'authgate_1' }]);
      await client.query('deallocate all');
      expect((await add(2)).rows).toEqual([{ n: 3 }]);
      expect(refusals).toEqual([expect.objectContaining({ code: '26000' })]);
      expect((await add(3)).rows).toEqual([{ n: 4 }]);
      expect((await client.query('select name from pg_prepared_statements')).rows).toEqual([]);
    } finally {
      await client.end();
    }
  });
});
