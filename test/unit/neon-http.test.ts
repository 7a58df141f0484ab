// Our Neon SQL-over-HTTP client against the real driver it replaced (@neondatabase/serverless under drizzle-orm's
// neon-http driver, as src/adapters/db/neon.ts used them): for the same calls both must put the same request on the
// wire, and for the same reply bytes both must give the caller the same values and the same errors.
// (db.contract / atomic-writes / http-workerd run the client against the Neon bridge on real PostgreSQL.)
import { neon, neonConfig } from '@neondatabase/serverless';
import { eq, sql, type SQL } from 'drizzle-orm';
import { drizzle as drizzleNeonHttp } from 'drizzle-orm/neon-http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { neonBatchRunner, neonDrizzle } from '../../src/adapters/db/neon';
import { neonEndpoint, neonHttp, NeonDbError } from '../../src/adapters/db/neon-http';
import { rowsOf, type Db } from '../../src/adapters/db/rows';
import { sessions, users } from '../../src/adapters/db/schema';
import { isUnavailable } from '../../src/adapters/db/unavailable';
import { isUniqueViolation } from '../../src/adapters/db/unique-violation';

const NEON_URL = 'postgresql://alex:AbC123dEf@ep-cool-darkness-123456.eu-central-1.aws.neon.tech/dbname?sslmode=require&channel_binding=require';
const BRIDGE_URL = 'postgresql://postgres:secret@127.0.0.1:4444/authgate';

interface Sent {
  url: string;
  init: string[];
  method: string | undefined;
  headers: Record<string, string>;
  body: string;
}

type Reply = (body: { query?: string; queries?: unknown[] }) => Response | Promise<Response>;

/** Stubs the global fetch (both clients use it) with `reply`, recording every request. */
function stubFetch(reply: Reply): Sent[] {
  const sent: Sent[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    const body = init.body as string;
    sent.push({ url: String(url), init: Object.keys(init).sort(), method: init.method, headers: { ...(init.headers as Record<string, string>) }, body });
    return reply(JSON.parse(body) as { query?: string; queries?: unknown[] });
  });
  return sent;
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** A reply in Neon's raw-text, array-mode shape (what the bridge answers), one field per [name, type OID]. */
function result(columns: readonly (readonly [string, number])[], rows: (string | null)[][], command = 'SELECT') {
  const fields = columns.map(([name, dataTypeID]) => ({ name, tableID: 0, columnID: 0, dataTypeID, dataTypeSize: -1, dataTypeModifier: -1, format: 'text' }));
  return { command, rowCount: rows.length, rows, fields, rowAsArray: true };
}

// drizzle's neon-http driver sets the driver's global type parsers (timestamps, dates, intervals stay text) when
// it is constructed: the app always ran the driver so configured.
const driverDb = (url: string) => drizzleNeonHttp({ client: neon(url) }) as unknown as Db;
const ourDb = (url: string) => neonDrizzle(neonHttp(url));

/** The driver's request with our application_name in its connection string: the one difference we chose. */
function asOurs(request: Sent): Sent {
  const connectionString = request.headers['Neon-Connection-String']!.replace(/([?&])application_name=[^&]*/, '$1application_name=authgate');
  return { ...request, headers: { ...request.headers, 'Neon-Connection-String': connectionString } };
}

/** Runs `call` with the driver and then with our client on the same reply; both requests and both outcomes. */
async function both<T>(reply: Reply, call: (db: Db, url: string) => Promise<T>, url = NEON_URL) {
  const sent = stubFetch(reply);
  const settle = (promise: Promise<T>) => promise.then((value) => ({ value }), (error: unknown) => ({ error }));
  const driver = await settle(call(driverDb(url), url));
  const ours = await settle(call(ourDb(url), url));
  expect(sent).toHaveLength(2);
  return { driver, ours, driverRequest: sent[0]!, ourRequest: sent[1]! };
}

/** Buffers (the driver's bytea) as plain Uint8Arrays (ours), so values compare by content. */
function plainBytes(value: unknown): unknown {
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (Array.isArray(value)) return value.map(plainBytes);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainBytes(v)]));
  return value;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

const USER_COLUMNS = [
  ['id', 25], ['email', 25], ['name', 25], ['password_hash', 25], ['role', 25], ['email_verified_at', 1184], ['mfa_secret_encrypted', 25],
  ['mfa_enabled_at', 1184], ['mfa_last_used_step', 20], ['failed_login_count', 23], ['locked_until', 1184], ['deleted_at', 1184],
  ['created_at', 1184], ['updated_at', 1184], ['last_login_at', 1184], ['security_stamp', 23],
] as const;
const USER_ROW = ['u1', 'ada@example.com', null, '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA', 'ADMIN', '2030-01-01 12:00:00.5+00', null,
  '2030-01-02 03:04:05.123456+05:30', '63000000', '2', null, null, '2029-12-31 23:59:59+00', '2030-01-01 00:00:00+00', null, '7'];

describe('requests: what both clients put on the wire', () => {
  it('sends a typed select as the same POST, headers and body, and maps the row to the same values', async () => {
    const { driver, ours, driverRequest, ourRequest } = await both(
      () => json(result(USER_COLUMNS, [USER_ROW])),
      (db) => db.select().from(users).where(eq(users.email, 'ada@example.com')).limit(1),
    );
    expect(ourRequest).toEqual(asOurs(driverRequest));
    expect(ourRequest).toMatchObject({ url: 'https://api.eu-central-1.aws.neon.tech/sql', method: 'POST', init: ['body', 'headers', 'method'] });
    expect(ourRequest.headers).toEqual({
      'Neon-Connection-String': `${NEON_URL}&application_name=authgate`,
      'Neon-Raw-Text-Output': 'true',
      'Neon-Array-Mode': 'true',
    });
    expect(ours).toEqual(driver);
    expect((ours as { value: unknown[] }).value[0]).toMatchObject({ createdAt: new Date('2029-12-31T23:59:59Z'), mfaLastUsedStep: 63000000, securityStamp: 7 });
  });

  it('sends the very same bytes when the connection string names its own application_name, to a bridge too', async () => {
    const previous = neonConfig.fetchEndpoint;
    // The loopback rule the app gave the driver (neon-endpoint.test.ts holds every other host to the driver's own).
    neonConfig.fetchEndpoint = (host, port) => neonEndpoint(host, String(port));
    try {
      for (const url of [`${NEON_URL}&application_name=mine`, `${BRIDGE_URL}?application_name=mine`]) {
        const { driverRequest, ourRequest } = await both(() => json(result([['n', 23]], [['1']])), (db) => db.execute(sql`select 1 as n`), url);
        expect(ourRequest).toEqual(driverRequest);
      }
    } finally {
      neonConfig.fetchEndpoint = previous;
    }
    const sent = stubFetch(() => json(result([], [])));
    await neonHttp(BRIDGE_URL).query('select 1');
    expect(sent[0]!.url).toBe('http://127.0.0.1:4444/sql');
  });

  it('serialises Date, bytes, null, JSON, arrays and scalars as the driver does, in several time zones', async () => {
    const previous = process.env.TZ;
    try {
      for (const zone of ['UTC', 'Asia/Kolkata', 'America/St_Johns']) {
        process.env.TZ = zone;
        const params: unknown[] = [
          new Date('2030-01-02T03:04:05.006Z'), new Date('-000100-06-01T12:00:00Z'), new Uint8Array([0, 1, 127, 255]), Buffer.from('héllo'),
          new Uint16Array([1, 513]), null, undefined, { a: [1, 'b'], n: null }, [1, null, 'x"y\\z', [2, 3], Buffer.from([9])], [], 42, -0, 1.5,
          Number.NaN, true, 10n, 'text with \'quotes\'', { toPostgres: () => 'custom' },
        ];
        const statement = sql.join([sql`select `, sql.join(params.map((p) => sql`${sql.param(p)}`), sql`, `)]);
        const { driverRequest, ourRequest } = await both(() => json(result([], [])), (db) => db.execute(statement));
        expect(ourRequest, zone).toEqual(asOurs(driverRequest));
      }
    } finally {
      if (previous === undefined) delete process.env.TZ;
      else process.env.TZ = previous;
    }
  });

  it('sends an atomic batch as one request of {queries} with no transaction headers, and reads back its rows alike', async () => {
    const statements: SQL[] = [
      sql`insert into ${users} (id, email, created_at, updated_at) values (${'u2'}, ${'bob@example.com'}, now(), now()) returning id`,
      sql`update ${sessions} set revoked_at = ${new Date('2030-01-01T00:00:00Z').toISOString()}::timestamptz where user_id = ${'u2'}`,
      sql`select ${users.createdAt} as created, ${users.role} as role from ${users} where ${users.id} = ${'u2'}`,
    ];
    const reply = () =>
      json({ results: [result([['id', 25]], [['u2']], 'INSERT'), result([], [], 'UPDATE'), result([['created', 1184], ['role', 25]], [['2030-01-01 00:00:00+00', 'USER']])] });
    const sent = stubFetch(reply);
    const db = driverDb(NEON_URL);
    // The runner src/adapters/db/neon.ts had: drizzle's neon-http batch of db.execute()s.
    const driverRows = (await (db as unknown as { batch(q: unknown[]): Promise<unknown[]> }).batch(statements.map((s) => db.execute(s)))).map(rowsOf);
    const ourRows = await neonBatchRunner(neonHttp(NEON_URL))(statements);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toEqual(asOurs(sent[0]!));
    expect(Object.keys(sent[1]!.headers).filter((name) => /batch/i.test(name))).toEqual([]);
    expect(JSON.parse(sent[1]!.body)).toMatchObject({ queries: [{ params: ['u2', 'bob@example.com'] }, {}, {}] });
    expect(ourRows).toEqual(driverRows);
    expect(ourRows).toEqual([[{ id: 'u2' }], [], [{ created: '2030-01-01 00:00:00+00', role: 'USER' }]]);
  });

  it('sends a prepared statement with its placeholder filled, like the driver', async () => {
    const { driver, ours, driverRequest, ourRequest } = await both(
      () => json(result(USER_COLUMNS, [])),
      (db) => db.select().from(users).where(eq(users.id, sql.placeholder('id'))).limit(1).prepare('authgate_user_by_id').execute({ id: 'u9' }),
    );
    expect(ourRequest).toEqual(asOurs(driverRequest));
    expect(JSON.parse(ourRequest.body)).toMatchObject({ params: ['u9', '1'] });
    expect(ours).toEqual(driver);
  });
});

// Every type OID pg-types parses, those drizzle's neon-http driver keeps as text, and some it has no parser for.
const TYPED: readonly (readonly [string, number, string | null])[] = [
  ['yes', 16, 't'], ['no', 16, 'f'], ['hex', 17, '\\x0001ff'], ['escaped', 17, 'a\\\\b\\001\\377'], ['big', 20, '9007199254740993'],
  ['small', 21, '-3'], ['int', 23, '42'], ['oid', 26, '1259'], ['json', 114, '{"a":[1,"b"]}'], ['jsonb', 3802, '[1,{"k":null}]'],
  ['point', 600, '(1.5,-2)'], ['circle', 718, '<(1,2),3.5>'], ['real', 700, '1.25'], ['nan', 701, 'NaN'], ['inf', 701, '-Infinity'],
  ['bools', 1000, '{t,f,NULL}'], ['byteas', 1001, '{"\\\\x01ff",NULL}'], ['ints', 1007, '{{1,2},{3,NULL}}'], ['smalls', 1005, '[0:1]={7,8}'],
  ['oids', 1028, '{1,2}'], ['bigs', 1016, '{1,9007199254740993}'], ['points', 1017, '{"(1,2)","(3,4)"}'], ['doubles', 1022, '{1.5,NaN}'],
  ['reals', 1021, '{2.5}'], ['jsons', 199, '{"{\\"k\\":1}",NULL}'], ['jsonbs', 3807, '{"[1]"}'],
  ['texts', 1009, '{plain,"with \\"quote\\" and \\\\ backslash","a,b",NULL,"NULL",""}'], ['nested', 1009, '{{a,b},{c,"d}"}}'],
  ['uuids', 2951, '{0f0e0d0c-0b0a-0908-0706-050403020100}'], ['varchars', 1015, '{}'], ['chars', 1014, '{x}'], ['regprocs', 1008, '{now}'],
  ['cidrs', 651, '{10.0.0.0/8}'], ['inets', 1041, '{127.0.0.1}'], ['macaddrs', 1040, '{08:00:2b:01:02:03}'], ['ranges', 3907, '{"[1,2)"}'],
  ['moneys', 791, '{"$1.00"}'], ['times', 1183, '{12:00:00}'], ['timetzs', 1270, '{12:00:00+00}'], ['emptyArray', 1009, ''],
  ['timestamp', 1114, '2030-01-01 12:00:00.5'], ['timestamptz', 1184, '2030-01-01 12:00:00.5+00'], ['date', 1082, '2030-01-01'],
  ['interval', 1186, '1 day 02:00:00'], ['timestamps', 1115, '{"2030-01-01 12:00:00"}'], ['timestamptzs', 1185, '{"2030-01-01 12:00:00+00"}'],
  ['dates', 1182, '{2030-01-01}'], ['intervals', 1187, '{"1 day"}'], ['numeric', 1700, '1.10'], ['numerics', 1231, '{1.1,2}'],
  ['text', 25, 'hello'], ['unknown', 99999, 'x'], ['nothing', 25, null], ['dup', 23, '1'], ['dup', 23, '2'],
];
const typedReply = () => json(result(TYPED.map(([name, oid]) => [name, oid] as const), [TYPED.map(([, , text]) => text)]));

describe('replies: what both clients give the caller for the same bytes', () => {
  const driver = neon(NEON_URL);
  driverDb(NEON_URL); // drizzle's type parser settings, as in the app
  const ours = neonHttp(NEON_URL);

  it('parses every value by its type OID alike, as arrays and as objects (bytea as Uint8Array, not Buffer)', async () => {
    stubFetch(typedReply);
    for (const arrayMode of [true, false]) {
      const expected = await driver.query('select', [], { arrayMode, fullResults: true });
      const actual = arrayMode ? await ours.query('select', [], { arrayMode: true }) : await ours.query('select', []);
      expect(actual.rows).toEqual(plainBytes(expected.rows));
      expect(actual).toMatchObject({ command: expected.command, rowCount: expected.rowCount });
      expect(actual.fields).toEqual(expected.fields.map(({ name, dataTypeID }) => ({ name, dataTypeID })));
    }
    const [row] = (await ours.query('select', [])).rows;
    expect(row).toMatchObject({ yes: true, big: '9007199254740993', hex: new Uint8Array([0, 1, 255]), escaped: new Uint8Array([97, 92, 98, 1, 255]) });
    expect(row).toMatchObject({ texts: ['plain', 'with "quote" and \\ backslash', 'a,b', null, 'NULL', ''], timestamptz: '2030-01-01 12:00:00.5+00', dup: 2 });
  });

  it('turns an HTTP 400 with a Postgres error into a NeonDbError with the same message and fields', async () => {
    const body = {
      message: 'duplicate key value violates unique constraint "users_email_unique"', severity: 'ERROR', code: '23505',
      detail: 'Key (email)=(ada@example.com) already exists.', schema: 'public', table: 'users', constraint: 'users_email_unique',
      file: 'nbtinsert.c', line: '666', routine: '_bt_check_unique',
    };
    const { driver: viaDriver, ours: viaOurs } = await both(() => json(body, 400), (db) => db.insert(users).values({ id: 'u1', email: 'ada@example.com', createdAt: new Date(0), updatedAt: new Date(0) }));
    const expected = (viaDriver as { error: { cause: Record<string, unknown> } }).error.cause;
    const actual = (viaOurs as { error: { cause: Record<string, unknown> } }).error.cause;
    expect(actual).toBeInstanceOf(NeonDbError);
    const fields = ['name', 'message', 'severity', 'code', 'detail', 'hint', 'position', 'internalPosition', 'internalQuery', 'where', 'schema', 'table', 'column', 'dataType', 'constraint', 'file', 'line', 'routine'];
    for (const field of fields) expect(actual[field], field).toEqual(expected[field]);
    expect(isUniqueViolation((viaOurs as { error: unknown }).error)).toBe(true);
    expect(isUnavailable((viaOurs as { error: unknown }).error)).toBe(false);
  });

  it('reports a failed fetch, another HTTP status and a malformed batch reply with the driver\'s messages', async () => {
    const failure = new TypeError('fetch failed');
    stubFetch(() => Promise.reject(failure));
    const [expected, actual] = await Promise.all([driver.query('select 1').catch((e: unknown) => e), ours.query('select 1').catch((e: unknown) => e)]);
    expect(actual).toMatchObject({ name: 'NeonDbError', message: (expected as Error).message, sourceError: failure });
    expect(isUnavailable(actual)).toBe(true);

    stubFetch(() => new Response('upstream timed out', { status: 504 }));
    const [status, ourStatus] = await Promise.all([driver.query('select 1').catch((e: unknown) => e), ours.query('select 1').catch((e: unknown) => e)]);
    expect(ourStatus).toMatchObject({ name: 'NeonDbError', message: (status as Error).message });
    expect((ourStatus as Error).message).toBe('Server error (HTTP status 504): upstream timed out');

    stubFetch(() => json({ rows: [] }));
    const batch = await driver.transaction([driver.query('select 1')]).catch((e: unknown) => e);
    const ourBatch = await ours.transaction([{ sql: 'select 1', params: [] }]).catch((e: unknown) => e);
    expect(ourBatch).toMatchObject({ name: 'NeonDbError', message: (batch as Error).message });
  });

  it('refuses a connection string without user, host or database as the driver does, and never quotes one', async () => {
    const sent = stubFetch(() => json(result([], [])));
    for (const url of ['postgresql://alex:pw@ep-x.aws.neon.tech/', 'postgresql://ep-x.aws.neon.tech/db']) {
      const expected = await neon(url).query('select 1').catch((e: unknown) => e);
      await expect(neonHttp(url).query('select 1')).rejects.toMatchObject({ name: 'NeonDbError', message: (expected as Error).message });
    }
    const invalid = await neonHttp('not a url with secret-password').query('select 1').catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(NeonDbError);
    expect((invalid as Error).message).not.toContain('secret-password');
    expect(sent).toEqual([]);
  });
});
