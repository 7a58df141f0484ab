// The Neon bridge must answer @neondatabase/serverless exactly as Neon's SQL-over-HTTP endpoint does, or the
// Neon driver's contract run proves nothing. These drive the unchanged client library against it.
import { NeonDbError, neon, neonConfig, type NeonQueryFunction } from '@neondatabase/serverless';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFreshDatabase, testServerUrl, type FreshDatabase } from '../support/db-targets';
import { startNeonBridge, type NeonBridge } from '../../scripts/bridges/neon';

describe('Neon HTTP bridge', () => {
  let bridge: NeonBridge;
  let database: FreshDatabase;
  let sql: NeonQueryFunction<false, false>;
  beforeAll(async () => {
    // Its own bridge: these tests are about the bridge, including its close().
    bridge = await startNeonBridge({ postgresUrl: testServerUrl() });
    neonConfig.fetchEndpoint = bridge.fetchEndpoint;
    database = await createFreshDatabase();
    sql = neon(bridge.connectionStringFor(database.name));
    await sql`create table items (id int primary key, label text not null)`;
  });
  afterAll(async () => {
    await bridge?.close();
    await database?.drop();
  });

  it('runs a parameterised query on the database named in the connection string', async () => {
    expect(await sql`select current_database() as name, ${'x'}::text || ${'y'}::text as joined`).toEqual([
      { name: database.name, joined: 'xy' },
    ]);
  });

  it('returns values the client parses into JavaScript types itself', async () => {
    const [row] = await sql`select 42::int4 as int, 9007199254740993::int8 as big, true as yes, null::text as nothing,
      '2030-01-01 12:00:00.5+00'::timestamptz as at, '{"a":[1,"b"]}'::jsonb as doc, array['p','q']::text[] as list,
      '\\x0102ff'::bytea as bytes, 1.5::float8 as ratio`;
    expect(row).toEqual({
      int: 42, big: '9007199254740993', yes: true, nothing: null, at: new Date('2030-01-01T12:00:00.500Z'),
      doc: { a: [1, 'b'] }, list: ['p', 'q'], bytes: Buffer.from([1, 2, 255]), ratio: 1.5,
    });
  });

  it('reports fields with type ids, the command and the row count in full results', async () => {
    const result = await sql.query('insert into items values ($1, $2), ($3, $4) returning id', [1, 'one', 2, 'two'], { fullResults: true, arrayMode: true });
    expect(result).toMatchObject({ command: 'INSERT', rowCount: 2, rows: [[1], [2]] });
    expect(result.fields).toEqual([expect.objectContaining({ name: 'id', dataTypeID: 23 })]);
  });

  it('turns a Postgres error into NeonDbError with the SQLSTATE and constraint preserved', async () => {
    await sql`insert into items values (10, 'ten')`;
    const error = await sql`insert into items values (10, 'again')`.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NeonDbError);
    expect(error).toMatchObject({ code: '23505', constraint: 'items_pkey', severity: 'ERROR', table: 'items' });
  });

  it('refuses several statements in one query, like the real endpoint', async () => {
    const error = await sql.query('select 1; select 2').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'NeonDbError', code: '42601' });
  });

  it('runs a batch as one transaction: a failing statement rolls back the earlier ones', async () => {
    const error = await sql
      .transaction([sql`insert into items values (20, 'twenty')`, sql`insert into items values (20, 'duplicate')`])
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: '23505' });
    expect(await sql`select count(*)::int as n from items where id = 20`).toEqual([{ n: 0 }]);
    const results = await sql.transaction([sql`insert into items values (21, 'a') returning id`, sql`select label from items where id = 21`]);
    expect(results).toEqual([[{ id: 21 }], [{ label: 'a' }]]);
  });

  it('honours the batch isolation level and read-only mode', async () => {
    const [[level]] = (await sql.transaction([sql`show transaction_isolation`], { isolationLevel: 'Serializable' })) as [[unknown]];
    expect(level).toEqual({ transaction_isolation: 'serializable' });
    const error = await sql.transaction([sql`insert into items values (30, 'x')`], { readOnly: true }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: '25006' });
  });

  it('answers object rows with JSON values when raw text and array mode are off', async () => {
    const response = await fetch(bridge.fetchEndpoint, {
      method: 'POST',
      headers: { 'Neon-Connection-String': bridge.connectionStringFor(database.name) },
      body: JSON.stringify({ query: 'select 7 as n, true as ok, $1::jsonb as doc, now() is not null as t', params: ['{"k":1}'] }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ rows: [{ n: 7, ok: true, doc: { k: 1 }, t: true }], rowAsArray: false });
  });

  it('answers 400 with a message for a request without a connection string, and 404 off /sql', async () => {
    const missing = await fetch(bridge.fetchEndpoint, { method: 'POST', body: JSON.stringify({ query: 'select 1', params: [] }) });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ message: 'missing Neon-Connection-String header' });
    expect((await fetch(new URL('/other', bridge.fetchEndpoint), { method: 'POST' })).status).toBe(404);
  });
});
