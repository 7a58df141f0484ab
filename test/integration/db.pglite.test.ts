// The embedded database of `npm start`: what is written to DATA_DIR is there again after a restart.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, it } from 'vitest';
import { openPgliteDatabase, pgliteDatabase } from '../../src/adapters/db/pglite';
import { clonePgliteClient } from '../support/pglite-snapshot';

/** Records the options of every `query` the client runs (installed before the Database wraps the client). */
function recordQueryOptions(client: PGlite): unknown[] {
  const seen: unknown[] = [];
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
  (client as unknown as { query: (...args: unknown[]) => Promise<unknown> }).query = (text, params, options) => {
    seen.push(options);
    return query(text, params, options);
  };
  return seen;
}

describe('PGlite in a data directory', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('keeps users and instance secrets across a close and reopen', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'authgate-pglite-'));
    dirs.push(parent);
    // A DATA_DIR that does not exist yet is created.
    const dataDir = join(parent, 'nested', 'data');
    const createdAt = new Date('2030-01-01T00:00:00.000Z');

    const first = await openPgliteDatabase({ dataDir });
    expect(first.kind).toBe('pglite');
    await first.users.create({ id: 'usr_1', email: 'ada@example.test', name: 'Ada', passwordHash: null, role: 'SUPER_ADMIN', emailVerifiedAt: null, createdAt });
    expect(await first.secrets.getOrCreate('jwt_private_key', 'generated-at-first-start')).toBe('generated-at-first-start');
    await first.close();

    const second = await openPgliteDatabase({ dataDir });
    try {
      expect(await second.users.findByEmail('ada@example.test')).toMatchObject({ id: 'usr_1', role: 'SUPER_ADMIN', createdAt });
      expect(await second.secrets.getOrCreate('jwt_private_key', 'generated-at-second-start')).toBe('generated-at-first-start');
    } finally {
      await second.close();
    }
  });
});

describe('PGlite statements and their parsers', () => {
  const createdAt = new Date('2030-01-01T00:00:00.123Z');
  const ada = { id: 'usr_p', email: 'ada@example.test', name: 'Ada', passwordHash: null, role: 'USER', emailVerifiedAt: createdAt, createdAt } as const;

  it("a client created as the server creates it gets drizzle's statements without per-statement parsers, and the same records", async () => {
    const client = await clonePgliteClient({ serverParsers: true });
    const seen = recordQueryOptions(client);
    const db = await pgliteDatabase(client);
    try {
      seen.length = 0;
      await db.users.create(ada);
      const found = await db.users.findByEmail('ada@example.test');
      expect(found).toMatchObject({ id: 'usr_p', createdAt, emailVerifiedAt: createdAt });
      expect(found?.createdAt).toBeInstanceOf(Date);
      expect(seen.length).toBeGreaterThanOrEqual(2);
      for (const options of seen) expect(options).not.toHaveProperty('parsers');
    } finally {
      await db.close();
    }
  });

  it("any other client gets drizzle's parsers with every statement, and reads the same records", async () => {
    const client = await clonePgliteClient();
    const seen = recordQueryOptions(client);
    const db = await pgliteDatabase(client);
    try {
      seen.length = 0;
      await db.users.create(ada);
      expect(await db.users.findByEmail('ada@example.test')).toMatchObject({ id: 'usr_p', createdAt, emailVerifiedAt: createdAt });
      expect(seen.length).toBeGreaterThanOrEqual(2);
      for (const options of seen) expect(options).toHaveProperty('parsers');
      // Raw SQL beside it still reads timestamps as Dates.
      const [row] = (await client.query<{ created_at: unknown }>('select created_at from users where id = $1', ['usr_p'])).rows;
      expect(row?.created_at).toEqual(createdAt);
    } finally {
      await db.close();
    }
  });
});
