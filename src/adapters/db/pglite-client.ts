// Node only: the PGlite client drizzle runs on, with two costs of PGlite's own `query` taken off the event loop (PGlite
// runs the database in WASM on the event loop, so every statement's CPU is the event loop's).
//
// 1. Parsers. drizzle's PGlite driver passes parsers for nine types (timestamps, dates, intervals and their arrays: read
//    as text) with every statement; PGlite then copies its whole parser table, several hundred types, into a new object
//    per statement to lay them over it: 7.4 % of the event loop's time under the login load (perf). A client that reads
//    those types as text itself (`readsTimestampsAsText`) gets statements without them.
// 2. Named statements. PGlite sends every statement unnamed: parsed, analysed and planned again on every call, in five
//    protocol exchanges. Here a statement with parameters is parsed once under a name (as pg-prepared.ts does for
//    node-postgres) and then run in one exchange: bind, describe, execute, sync. The user read by e-mail of a login
//    went from 0.44 to 0.15 ms (an in-memory clone, 2,000 runs each), the event loop's CPU per login from 6.0–6.8 to
//    4.5–5.1 ms (10 clients, alternating runs). Results are parsed by PGlite's own parseResults
//    with the client's parsers, parameters serialized by the client's serializers, as PGlite's `query` does; statements
//    wait for PGlite's transaction and query locks as `query` does, so none runs inside another caller's transaction.
//    A text that cannot be named (the parse fails: the unnamed run then reports the error as usual), one without
//    parameters, one with options other than drizzle's (rowMode, parsers), and every text past the cap of
//    statement-names.ts run through `query`.
//    Statements inside a drizzle transaction run on PGlite's transaction object, unnamed.
import { parse, type PGlite, protocol, type QueryOptions, type Results, types } from '@electric-sql/pglite';
import { MAX_NAMED_STATEMENTS, statementNames } from './statement-names';

const TEXT_TYPES = [types.TIMESTAMP, types.TIMESTAMPTZ, types.INTERVAL, types.DATE, 1231, 1115, 1185, 1187, 1182];
const asText = (value: string): string => value;
const SAMPLE = '2026-01-01 00:00:00+00';

/**
 * Sets the client's own parsers for TEXT_TYPES to text, as drizzle's are; its raw reads of those types then get text
 * too. After creation: PGlite sets the array types' parsers (three of TEXT_TYPES) while it starts.
 */
export function readsTimestampsAsText(client: PGlite): PGlite {
  for (const type of TEXT_TYPES) client.parsers[type] = asText;
  return client;
}

type Query = (text: string, params?: unknown[], options?: QueryOptions) => Promise<Results>;

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((size, part) => size + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** The error as PGlite's `query` raises it: the statement, its parameters and options attached. */
function asQueryError(error: unknown, text: string, params: unknown[], options: QueryOptions | undefined): unknown {
  if (typeof error === 'object' && error !== null) Object.assign(error, { query: text, params, queryOptions: options });
  return error;
}

/**
 * The client to hand to drizzle (see the top of this file). `max`: how many statement texts get a name. Only `query`
 * changes; every other property is the client's own.
 */
export function drizzleClient(client: PGlite, max = MAX_NAMED_STATEMENTS): PGlite {
  const query = client.query.bind(client) as Query;
  const { serialize } = protocol;
  const names = statementNames(max);
  /** Per name: each parameter's type as the server inferred it, or null when the server refused to parse the text. */
  const prepared = new Map<string, number[] | null>();

  const sameAsClient = (parsers: NonNullable<QueryOptions['parsers']>) =>
    TEXT_TYPES.every((type) => client.parsers[type] === asText) &&
    Object.entries(parsers).every(([type, parser]) => TEXT_TYPES.includes(Number(type)) && typeof parser === 'function' && parser(SAMPLE) === SAMPLE);
  const withoutSameParsers = (options: QueryOptions | undefined): QueryOptions | undefined => {
    if (!options?.parsers || !sameAsClient(options.parsers)) return options;
    const { parsers: _same, ...rest } = options;
    return rest;
  };

  /** Inside PGlite's locks. Null: the server refused to parse it (the unnamed run reports why). */
  async function prepare(name: string, text: string): Promise<number[] | null> {
    try {
      const { messages } = await client.execProtocol(concat([serialize.parse({ name, text }), serialize.describe({ type: 'S', name }), serialize.sync()]), { syncToFs: false });
      const description = messages.find((message) => message.name === 'parameterDescription') as { dataTypeIDs?: number[] } | undefined;
      return description?.dataTypeIDs ?? [];
    } catch {
      return null;
    }
  }

  /** Runs `text` under `name`; undefined when the server refused to parse it (then the caller runs it unnamed). */
  function runNamed(name: string, text: string, params: unknown[], options: QueryOptions | undefined): Promise<Results | undefined> {
    return client._runExclusiveTransaction(() =>
      client._runExclusiveQuery(async () => {
        let types = prepared.get(name);
        if (types === undefined) prepared.set(name, (types = await prepare(name, text)));
        if (types === null) return undefined;
        const values = params.map((value, index) => {
          if (value === null || value === undefined) return null;
          const serializer = client.serializers[types[index]!];
          return serializer ? serializer(value) : String(value);
        });
        try {
          const { messages } = await client.execProtocol(
            concat([serialize.bind({ statement: name, values }), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()]),
          );
          return parse.parseResults(messages, client.parsers, options)[0];
        } catch (error) {
          throw asQueryError(error, text, params, options);
        }
      }),
    );
  }

  const namedQuery: Query = async (text, params, given) => {
    const options = withoutSameParsers(given);
    // drizzle's options; any other (serializers, paramTypes, a blob) is left to PGlite's own `query`.
    const plain = !options || Object.keys(options).every((option) => option === 'rowMode' || option === 'parsers');
    const name = params && params.length > 0 && plain ? names.nameFor(text) : undefined;
    if (!params || name === undefined || prepared.get(name) === null) return query(text, params, options);
    return (await runNamed(name, text, params, options)) ?? query(text, params, options);
  };

  return new Proxy(client, {
    get(target, property) {
      if (property === 'query') return namedQuery;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
