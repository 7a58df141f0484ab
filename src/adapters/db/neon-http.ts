// A minimal client for Neon's SQL-over-HTTP endpoint, in place of @neondatabase/serverless (146 KiB of the Workers
// bundle, of which we used only `neon()`). It speaks the protocol as that library (1.2, as drizzle-orm's neon-http
// driver called it) does, so the wire and the failures stay the same:
// - POST <endpoint> with `Neon-Connection-String` (the URL with an application_name added unless it has one),
//   `Neon-Raw-Text-Output: true` and `Neon-Array-Mode: true`: every value comes back as Postgres text in row arrays,
//   and the client parses it by type OID (neon-values.ts) and builds object rows itself where asked;
// - a statement is `{query, params}`; a batch is `{queries: [...]}`, which Neon runs as one transaction, with no
//   Neon-Batch-* headers (the driver sends them only when asked; Neon's defaults: read committed, read-write);
// - no deadline and no retry, like the driver: a lost reply to a write cannot be told from a write never made;
// - a failed fetch → NeonDbError "Error connecting to database: …" (its `sourceError` the fetch's error); HTTP 400 →
//   NeonDbError with Neon's message and the Postgres fields (code = SQLSTATE, detail, constraint, …); any other
//   non-2xx → NeonDbError "Server error (HTTP status …)"; a reply without the expected arrays → NeonDbError.
// Web-standard globals only (fetch, URL): it runs on Workers and on Node alike.
import { parserFor, serializeParam } from './neon-values';

// The fields NeonDbError copies from Neon's error body (the driver's list, node-postgres's DatabaseError fields).
const ERROR_FIELDS = [
  'severity', 'code', 'detail', 'hint', 'position', 'internalPosition', 'internalQuery', 'where',
  'schema', 'table', 'column', 'dataType', 'constraint', 'file', 'line', 'routine',
] as const;

type ErrorField = (typeof ERROR_FIELDS)[number];

export class NeonDbError extends Error {
  override name = 'NeonDbError';
  severity: string | undefined;
  code: string | undefined;
  detail: string | undefined;
  hint: string | undefined;
  position: string | undefined;
  internalPosition: string | undefined;
  internalQuery: string | undefined;
  where: string | undefined;
  schema: string | undefined;
  table: string | undefined;
  column: string | undefined;
  dataType: string | undefined;
  constraint: string | undefined;
  file: string | undefined;
  line: string | undefined;
  routine: string | undefined;
  sourceError: unknown;
}

export interface NeonField {
  name: string;
  dataTypeID: number;
}

export interface NeonResult<Row> {
  command: string;
  rowCount: number | null;
  fields: NeonField[];
  rows: Row[];
}

export type NeonRow = Record<string, unknown>;

/** One statement of a batch: SQL with $1… placeholders and its parameters (drizzle's `sqlToQuery` shape). */
export interface NeonStatement {
  sql: string;
  params: readonly unknown[];
}

export interface NeonHttp {
  /** One statement; rows as objects keyed by column name, or (arrayMode) as arrays in column order. */
  query(sql: string, params?: readonly unknown[]): Promise<NeonResult<NeonRow>>;
  query(sql: string, params: readonly unknown[], options: { arrayMode: true }): Promise<NeonResult<unknown[]>>;
  /** The statements as one request that Neon runs as one transaction: all commit or none; object rows per statement. */
  transaction(statements: readonly NeonStatement[]): Promise<NeonResult<NeonRow>[]>;
}

export interface NeonHttpOptions {
  /** The fetch to send with (the driver's `fetchFunction`); the global one by default. */
  fetch?: typeof fetch;
}

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;
// What the driver adds to a connection string without one; ours names what connects (Neon shows it in pg_stat_activity).
const APPLICATION_NAME = 'authgate';

/**
 * Where a connection string's SQL goes. Neon's own rule (the driver's default fetchEndpoint) is https://api.<host
 * less its first label>/sql. A loopback host cannot be Neon: it is a local Neon-HTTP bridge (`npm run dev:bridges`,
 * the tests' bridge), which speaks plain HTTP on the connection string's own port.
 */
export function neonEndpoint(hostname: string, port: string): string {
  if (LOOPBACK_HOST.test(hostname)) return `http://${hostname}${port ? `:${port}` : ''}/sql`;
  return `https://${hostname.replace(/^[^.]+\./, 'api.')}/sql`;
}

interface Target {
  endpoint: string;
  connectionString: string;
}

/** The driver's resolveConnectionParams: the URL normalised, application_name added, user/host/database required. */
function resolveTarget(url: string): Target {
  let parsed: URL;
  try {
    parsed = new URL(`http:${url.slice(new URL(url).protocol.length)}`);
  } catch {
    // The driver's message quotes the connection string, password and all; this one does not.
    throw new NeonDbError('Database connection string is not a valid URL');
  }
  if (!parsed.searchParams.has('application_name')) parsed.searchParams.append('application_name', APPLICATION_NAME);
  const { username, hostname, pathname } = parsed;
  if (!username || !hostname || hostname === '-' || !pathname || pathname === '/') {
    throw new NeonDbError('Wrong URL scheme or missing user, host or database in connection parameters');
  }
  return { endpoint: neonEndpoint(hostname, parsed.port), connectionString: `postgresql:${parsed.href.slice(parsed.protocol.length)}` };
}

/** Neon's SQL-over-HTTP client for a DATABASE_URL (a Neon host, or a loopback bridge). */
export function neonHttp(url: string, options: NeonHttpOptions = {}): NeonHttp {
  let target: Target | undefined;

  async function post(body: unknown): Promise<unknown> {
    target ??= resolveTarget(url);
    let response: Response;
    try {
      response = await (options.fetch ?? fetch)(target.endpoint, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'Neon-Connection-String': target.connectionString, 'Neon-Raw-Text-Output': 'true', 'Neon-Array-Mode': 'true' },
      });
    } catch (error) {
      // "fetch failed" (Node) / "Network connection lost" (workerd) stay in the message: isUnavailable reads it.
      const failure = new NeonDbError(`Error connecting to database: ${String(error)}`);
      failure.sourceError = error;
      throw failure;
    }
    if (response.ok) return (await response.json()) as unknown;
    if (response.status !== 400) throw new NeonDbError(`Server error (HTTP status ${response.status}): ${await response.text()}`);
    const reply = ((await response.json()) ?? {}) as Partial<Record<'message' | ErrorField, unknown>>;
    const error = new NeonDbError(typeof reply.message === 'string' ? reply.message : undefined);
    for (const field of ERROR_FIELDS) {
      const value = reply[field];
      error[field] = typeof value === 'string' ? value : undefined;
    }
    throw error;
  }

  const query = async (sql: string, params: readonly unknown[] = [], queryOptions: { arrayMode?: boolean } = {}) =>
    decode(await post({ query: sql, params: params.map(serializeParam) }), queryOptions.arrayMode === true);

  return {
    query: query as NeonHttp['query'],
    async transaction(statements) {
      const reply = await post({ queries: statements.map(({ sql, params }) => ({ query: sql, params: params.map(serializeParam) })) });
      const results = (reply as { results?: unknown } | null)?.results;
      if (!Array.isArray(results)) throw unexpectedReply();
      return results.map((result) => decode(result, false) as NeonResult<NeonRow>);
    },
  };
}

const unexpectedReply = () => new NeonDbError('Neon internal error: unexpected result format');

/** One statement's reply: text values parsed by their column's type OID, rows as arrays or as objects. */
function decode(reply: unknown, arrayMode: boolean): NeonResult<NeonRow | unknown[]> {
  const { fields, rows, command, rowCount } = (reply ?? {}) as Partial<Record<'fields' | 'rows' | 'command' | 'rowCount', unknown>>;
  if (!Array.isArray(fields) || !Array.isArray(rows) || !rows.every(Array.isArray)) throw unexpectedReply();
  const columns = (fields as unknown[]).map((field) => {
    const { name, dataTypeID } = (field ?? {}) as Partial<Record<'name' | 'dataTypeID', unknown>>;
    if (typeof name !== 'string' || typeof dataTypeID !== 'number') throw unexpectedReply();
    return { name, dataTypeID, parse: parserFor(dataTypeID) };
  });
  const parsed = (rows as unknown[][]).map((row) => {
    if (row.length !== columns.length) throw unexpectedReply();
    return row.map((value, i) => (value === null ? null : columns[i]!.parse(value as string)));
  });
  return {
    command: typeof command === 'string' ? command : '',
    rowCount: typeof rowCount === 'number' ? rowCount : null,
    fields: columns.map(({ name, dataTypeID }) => ({ name, dataTypeID })),
    rows: arrayMode ? parsed : parsed.map((row) => Object.fromEntries(row.map((value, i) => [columns[i]!.name, value]))),
  };
}
