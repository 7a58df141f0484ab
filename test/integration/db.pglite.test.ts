// The embedded database of `npm start`: what is written to DATA_DIR is there again after a restart.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, it } from 'vitest';
import { openPgliteDatabase, pgliteDatabase } from '../../src/adapters/db/pglite';
import { drizzleClient } from '../../src/adapters/db/pglite-client';
import { openFaultyDatabase } from '../support/faulty-db';
import { clonePgliteClient } from '../support/pglite-snapshot';

interface Recorded {
  /** Options of every `query` the client ran (unnamed statements). */
  queries: unknown[];
  /** Named statements run (raw-stream exchanges that begin with a Bind). */
  named: number;
}

/** Records what reaches the client (installed before the Database wraps it). */
function record(client: PGlite): Recorded {
  const seen: Recorded = { queries: [], named: 0 };
  const target = client as unknown as Record<'query' | 'execProtocolRawStream', (...args: unknown[]) => Promise<unknown>>;
  const query = target.query.bind(client);
  const exchange = target.execProtocolRawStream.bind(client);
  target.query = (text, params, options) => {
    seen.queries.push(options);
    return query(text, params, options);
  };
  target.execProtocolRawStream = (message, options) => {
    if (message instanceof Uint8Array && message[0] === 0x42) seen.named += 1;
    return exchange(message, options);
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

describe('PGlite statements: named, and parsed by the client', () => {
  /** A clone opened as the server opens it, with a table `scratch (id text primary key, note text)`, and its drizzle client. */
  async function scratch(): Promise<{ raw: PGlite; client: PGlite }> {
    const raw = await clonePgliteClient({ serverParsers: true });
    await raw.exec('create table scratch (id text primary key, note text)');
    return { raw, client: drizzleClient(raw) };
  }

  const createdAt = new Date('2030-01-01T00:00:00.123Z');
  const ada = { id: 'usr_p', email: 'ada@example.test', name: 'Ada', passwordHash: null, role: 'USER', emailVerifiedAt: createdAt, createdAt } as const;

  it("a client opened as the server opens it runs drizzle's statements named, never with per-statement parsers, and reads the same records", async () => {
    const client = await clonePgliteClient({ serverParsers: true });
    const seen = record(client);
    const db = await pgliteDatabase(client);
    try {
      seen.queries.length = 0;
      await db.users.create(ada);
      for (let read = 0; read < 3; read += 1) {
        const found = await db.users.findByEmail('ada@example.test');
        expect(found).toMatchObject({ id: 'usr_p', createdAt, emailVerifiedAt: createdAt });
        expect(found?.createdAt).toBeInstanceOf(Date);
      }
      expect(seen.named).toBeGreaterThanOrEqual(4);
      for (const options of seen.queries) expect(options).not.toHaveProperty('parsers');
    } finally {
      await db.close();
    }
  });

  it('any other client runs them named with its parsers given per statement, and its raw reads stay Dates', async () => {
    const client = await clonePgliteClient();
    const seen = record(client);
    const db = await pgliteDatabase(client);
    try {
      await db.users.create(ada);
      expect(await db.users.findByEmail('ada@example.test')).toMatchObject({ id: 'usr_p', createdAt, emailVerifiedAt: createdAt });
      expect(seen.named).toBeGreaterThanOrEqual(2);
      const [row] = (await client.query<{ created_at: unknown }>('select created_at from users where id = $1', ['usr_p'])).rows;
      expect(row?.created_at).toEqual(createdAt);
    } finally {
      await db.close();
    }
  });

  it("answers as PGlite's own query does: rows in both modes, nulls, text beyond ASCII, counts, no rows", async () => {
    const { raw, client } = await scratch();
    await raw.exec('create table twin (id text primary key, note text)');
    const seen = record(raw);
    const statements: [string, unknown[], { rowMode: 'array' | 'object' }?][] = [
      ['insert into scratch (id, note) values ($1, $2), ($3, $4), ($5, $6)', ['a', 'Zoë 日本 🎉', 'b', null, 'c', '']],
      ['select id, note, length(note) as chars from scratch where id <> $1 order by id', ['z']],
      ['select id, note from scratch where id <> $1 order by id', ['z'], { rowMode: 'array' }],
      ['update scratch set note = note || $1 where id <> $2', ['!', 'c']],
      ['select id from scratch where id = $1', ['none']],
      ['delete from scratch where id = $1 returning id, note', ['a']],
      ['select id, note from scratch where id <> $1 order by id', ['z'], { rowMode: 'array' }],
    ];
    try {
      for (const [text, params, options] of statements) {
        const named = await client.query(text, params, options);
        const own = await raw.query(text.replace('scratch', 'twin'), params, options);
        expect({ rows: named.rows, fields: named.fields, affectedRows: named.affectedRows }).toEqual({ rows: own.rows, fields: own.fields, affectedRows: own.affectedRows });
      }
      expect(seen.named).toBe(statements.length);
      const [row] = (await client.query<{ note: string }>('select note from scratch where id = $1', ['b'])).rows;
      expect(row).toEqual({ note: null });
    } finally {
      await raw.close();
    }
  });

  it('a statement the server cannot parse fails as it would unnamed, and the next ones still run', async () => {
    const { raw, client } = await scratch();
    try {
      for (let attempt = 0; attempt < 2; attempt += 1) {
        await expect(client.query('select no_such_column from scratch where id = $1', ['a'])).rejects.toMatchObject({ code: '42703' });
      }
      await client.query('insert into scratch (id, note) values ($1, $2)', ['a', 'first']);
      // A refusal while running (a duplicate) leaves the connection usable, and its error is PGlite's.
      await expect(client.query('insert into scratch (id, note) values ($1, $2)', ['a', 'again'])).rejects.toMatchObject({
        code: '23505',
        query: expect.stringContaining('insert into scratch'),
      });
      const found = await client.query<{ note: string }>('select note from scratch where id = $1', ['a']);
      expect(found.rows).toEqual([{ note: 'first' }]);
    } finally {
      await raw.close();
    }
  });

  it("never runs inside another caller's transaction: a statement sent meanwhile outlives the transaction's rollback", async () => {
    const { raw, client } = await scratch();
    const insert = 'insert into scratch (id) values ($1)';
    try {
      let sendOther!: () => void;
      const inside = new Promise<void>((resolve) => (sendOther = resolve));
      let other: Promise<unknown> | undefined;
      const transaction = raw.transaction(async (tx) => {
        await tx.query(insert, ['in-transaction']);
        sendOther();
        await new Promise((resolve) => setTimeout(resolve, 50));
        await tx.rollback();
      });
      await inside;
      other = client.query(insert, ['sent-meanwhile']);
      await transaction;
      await other;
      const ids = await raw.query<{ id: string }>('select id from scratch');
      expect(ids.rows).toEqual([{ id: 'sent-meanwhile' }]);
    } finally {
      await raw.close();
    }
  });

  it('the fault-injecting harness (test/support/faulty-db.ts) counts a named statement and fails it', async () => {
    const target = await openFaultyDatabase('pglite');
    try {
      // The first run prepares the statement (not counted: it writes nothing), then runs it.
      target.faults.failNth(null);
      expect(await target.db.users.findByEmail('nobody@example.test')).toBeNull();
      expect(target.faults.counted).toBe(1);
      target.faults.failNth(1);
      await expect(target.db.users.findByEmail('nobody@example.test')).rejects.toThrow();
      expect(target.faults.injected).toBe(true);
      target.faults.failNth(null);
      expect(await target.db.users.findByEmail('nobody@example.test')).toBeNull();
    } finally {
      await target.dispose();
    }
  });

  it('past the cap, texts run unnamed and still answer', async () => {
    const raw = await clonePgliteClient({ serverParsers: true });
    const seen = record(raw);
    const client = drizzleClient(raw, 1);
    try {
      const first = await client.query<{ n: number }>('select $1::int as n', [1]);
      const second = await client.query<{ n: number }>('select $1::int + 1 as n', [1]);
      expect([first.rows, second.rows]).toEqual([[{ n: 1 }], [{ n: 2 }]]);
      expect(seen.named).toBe(1);
      expect(seen.queries).toHaveLength(1);
    } finally {
      await raw.close();
    }
  });
});
