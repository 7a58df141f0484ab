// A local stand-in for Neon's SQL-over-HTTP endpoint in front of a real PostgreSQL server, so our Neon client
// (src/adapters/db/neon-http.ts) runs against real Postgres in tests, on Node and inside workerd, and the unchanged
// @neondatabase/serverless client checks the stand-in itself (test/integration/db.neon-bridge.test.ts). Our client
// reaches it through a loopback connection string; the library through `neonConfig.fetchEndpoint`.
//
// Wire protocol, as the client library sends and reads it (node_modules/@neondatabase/serverless, `neon()`):
//   POST <fetchEndpoint>  headers: Neon-Connection-String (postgresql://user:pass@host/db?...),
//     Neon-Raw-Text-Output, Neon-Array-Mode, and for batches Neon-Batch-Isolation-Level / -Read-Only / -Deferrable
//   body {query, params} → 200 {command, rowCount, rows, fields:[{name, dataTypeID, ...}], rowAsArray}
//   body {queries:[{query, params}, ...]} → 200 {results:[...]} run as one transaction
//   a Postgres error → 400 {message, code, severity, detail, constraint, ...}, which the client throws as NeonDbError.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import pg from 'pg';
import { listenOnLoopback, readText, sendJson as send } from './http';
import { runNeonBatch, runNeonQuery, type NeonQuery, type OutputMode } from './neon-query';

export interface NeonBridge {
  /** What to assign to `neonConfig.fetchEndpoint`, e.g. http://127.0.0.1:41234/sql. */
  fetchEndpoint: string;
  /** A connection string for `neon()` that reaches `database` on the backing server. */
  connectionStringFor(database: string): string;
  close(): Promise<void>;
}

/** Thrown for a request the real endpoint would also refuse (400 with a message and no SQLSTATE). */
class BadRequest extends Error {}

export async function startNeonBridge(options: { postgresUrl: string; port?: number }): Promise<NeonBridge> {
  const server = new URL(options.postgresUrl);
  // One pool per (user, password, database) named by the request's connection string; host and port are always
  // the backing server's, whatever host the client's connection string names.
  const pools = new Map<string, pg.Pool>();
  const poolFor = (connectionString: string): pg.Pool => {
    let url: URL;
    try {
      url = new URL(connectionString);
    } catch {
      throw new BadRequest('invalid Neon-Connection-String');
    }
    const user = decodeURIComponent(url.username || server.username);
    const password = decodeURIComponent(url.password || server.password);
    const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
    if (!database) throw new BadRequest('Neon-Connection-String names no database');
    const key = JSON.stringify([user, password, database]);
    let pool = pools.get(key);
    if (!pool) {
      pool = new pg.Pool({
        host: server.hostname,
        port: Number(server.port || 5432),
        user,
        password,
        database,
        application_name: url.searchParams.get('application_name') ?? 'neon-bridge',
        max: 10,
        // Connections to a dropped test database must not linger: every suite creates databases of its own.
        idleTimeoutMillis: 1_000,
      });
      // An idle connection dropped by the server (DROP DATABASE ... WITH (FORCE)) must not crash the test run.
      pool.on('error', () => {});
      pools.set(key, pool);
    }
    return pool;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    try {
      if (request.method !== 'POST' || new URL(request.url ?? '/', 'http://bridge').pathname !== '/sql') {
        return send(response, 404, { message: 'not found: POST /sql' });
      }
      const connectionString = header(request, 'neon-connection-string');
      if (!connectionString) throw new BadRequest('missing Neon-Connection-String header');
      const body = parseBody(await readText(request));
      const mode: OutputMode = {
        rawText: header(request, 'neon-raw-text-output') === 'true',
        arrayMode: header(request, 'neon-array-mode') === 'true',
      };
      const pool = poolFor(connectionString);
      if ('queries' in body) {
        const results = await runNeonBatch(pool, body.queries, mode, {
          isolationLevel: header(request, 'neon-batch-isolation-level'),
          readOnly: header(request, 'neon-batch-read-only'),
          deferrable: header(request, 'neon-batch-deferrable'),
        });
        return send(response, 200, { results });
      }
      return send(response, 200, await runNeonQuery(pool, body, mode));
    } catch (error) {
      if (error instanceof pg.DatabaseError) return send(response, 400, postgresErrorBody(error));
      if (error instanceof BadRequest) return send(response, 400, { message: error.message });
      return send(response, 500, { message: error instanceof Error ? error.message : String(error) });
    }
  };

  const http = createServer((request, response) => void handle(request, response));
  const { port, close } = await listenOnLoopback(http, options.port);
  const credentials = `${server.username}${server.password ? `:${server.password}` : ''}@`;

  return {
    fetchEndpoint: `http://127.0.0.1:${port}/sql`,
    connectionStringFor: (database) => `postgresql://${credentials}127.0.0.1:${port}/${encodeURIComponent(database)}`,
    async close() {
      await close();
      await Promise.all([...pools.values()].map((pool) => pool.end()));
      pools.clear();
    },
  };
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseBody(text: string): NeonQuery | { queries: NeonQuery[] } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new BadRequest('request body is not JSON');
  }
  const isQuery = (value: unknown): value is NeonQuery =>
    typeof value === 'object' && value !== null && typeof (value as NeonQuery).query === 'string' &&
    ((value as NeonQuery).params === undefined || Array.isArray((value as NeonQuery).params));
  if (typeof body === 'object' && body !== null && 'queries' in body) {
    const queries: unknown = body.queries;
    if (Array.isArray(queries) && queries.every(isQuery)) return { queries };
  } else if (isQuery(body)) {
    return body;
  }
  throw new BadRequest('expected {query, params} or {queries: [...]}');
}

// The fields NeonDbError copies from the response body (the library's own list).
const ERROR_FIELDS = [
  'severity', 'code', 'detail', 'hint', 'position', 'internalPosition', 'internalQuery', 'where',
  'schema', 'table', 'column', 'dataType', 'constraint', 'file', 'line', 'routine',
] as const;

function postgresErrorBody(error: pg.DatabaseError): Record<string, unknown> {
  const body: Record<string, unknown> = { message: error.message };
  for (const field of ERROR_FIELDS) if (error[field] !== undefined) body[field] = error[field];
  return body;
}
