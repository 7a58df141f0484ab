// Runs the statements of the Neon bridge (neon.ts) on real PostgreSQL and shapes the results the way
// Neon's endpoint does, leaving type parsing to the client library.
import pg from 'pg';

export interface NeonQuery {
  query: string;
  /** Already serialised by the client (pg's prepareValue): strings or null. */
  params?: unknown[];
}

export interface OutputMode {
  /** Neon-Raw-Text-Output: every value as Postgres text, parsed by the client from `dataTypeID`. */
  rawText: boolean;
  /** Neon-Array-Mode: rows as arrays instead of objects keyed by column name. */
  arrayMode: boolean;
}

export interface BatchOptions {
  isolationLevel: string | undefined;
  readOnly: string | undefined;
  deferrable: string | undefined;
}

// Keep every value in Postgres text format: the client parses it itself, exactly as with the real endpoint.
const textTypes = { getTypeParser: () => (value: string) => value };

const ISOLATION_LEVELS: Record<string, string> = {
  ReadUncommitted: 'read uncommitted',
  ReadCommitted: 'read committed',
  RepeatableRead: 'repeatable read',
  Serializable: 'serializable',
};

export async function runNeonQuery(pool: pg.Pool | pg.PoolClient, query: NeonQuery, mode: OutputMode) {
  // Like Neon, always the extended protocol (pg's `queryMode`, missing from @types/pg): one statement per query.
  const config: pg.QueryArrayConfig & { queryMode: 'extended' } = {
    text: query.query,
    values: query.params ?? [],
    rowMode: 'array',
    types: textTypes,
    queryMode: 'extended',
  };
  return shape(await pool.query<unknown[]>(config), mode);
}

/** A batch (`sql.transaction`, drizzle's `db.batch`) runs in one transaction; any error rolls all of it back. */
export async function runNeonBatch(pool: pg.Pool, queries: NeonQuery[], mode: OutputMode, options: BatchOptions) {
  const client = await pool.connect();
  try {
    await client.query(beginStatement(options));
    try {
      const results = [];
      for (const query of queries) results.push(await runNeonQuery(client, query, mode));
      await client.query('commit');
      return results;
    } catch (error) {
      await client.query('rollback');
      throw error;
    }
  } finally {
    client.release();
  }
}

function beginStatement(options: BatchOptions): string {
  const parts = ['begin'];
  if (options.isolationLevel !== undefined) {
    const level = ISOLATION_LEVELS[options.isolationLevel];
    if (!level) throw new pg.DatabaseError(`invalid Neon-Batch-Isolation-Level: ${options.isolationLevel}`, 0, 'error');
    parts.push(`isolation level ${level}`);
  }
  if (options.readOnly !== undefined) parts.push(options.readOnly === 'true' ? 'read only' : 'read write');
  if (options.deferrable !== undefined) parts.push(options.deferrable === 'true' ? 'deferrable' : 'not deferrable');
  return parts.join(' ');
}

function shape(result: pg.QueryArrayResult<unknown[]>, mode: OutputMode) {
  const fields = result.fields.map((field) => ({
    name: field.name,
    tableID: field.tableID,
    columnID: field.columnID,
    dataTypeID: field.dataTypeID,
    dataTypeSize: field.dataTypeSize,
    dataTypeModifier: field.dataTypeModifier,
    format: 'text',
  }));
  const rows = result.rows.map((row) => {
    const values = row.map((value, index) =>
      mode.rawText || value === null ? value : jsonValue(value as string, fields[index]?.dataTypeID ?? 0),
    );
    return mode.arrayMode ? values : Object.fromEntries(fields.map((field, index) => [field.name, values[index]]));
  });
  return { command: result.command, rowCount: result.rowCount, rows, fields, rowAsArray: mode.arrayMode };
}

// Without raw text output Neon turns scalars of these types into JSON values; everything else stays text.
function jsonValue(text: string, dataTypeID: number): unknown {
  switch (dataTypeID) {
    case 16: // bool
      return text === 't';
    case 21: // int2
    case 23: // int4
    case 26: // oid
    case 700: // float4
    case 701: // float8
      return Number(text);
    case 114: // json
    case 3802: // jsonb
      return JSON.parse(text);
    default:
      return text;
  }
}
