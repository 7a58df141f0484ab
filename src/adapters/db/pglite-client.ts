// Node only: the PGlite client drizzle runs on, with three costs of PGlite's own `query` taken off the event loop (PGlite
// runs the database in WASM on the event loop, so every statement's CPU is the event loop's).
//
// 1. Parsers. drizzle's PGlite driver passes parsers for nine types (timestamps, dates, intervals and their arrays: read
//    as text) with every statement; PGlite then copies its whole parser table, several hundred types, into a new object
//    per statement to lay them over it: 7.4 % of the event loop's time under the login load (perf). A client that reads
//    those types as text itself (`readsTimestampsAsText`) gets statements without them.
// 2. Named statements. PGlite sends every statement unnamed: parsed, analysed and planned again on every call, in five
//    protocol exchanges. Here a statement with parameters is parsed and described once under a name (as pg-prepared.ts
//    does for node-postgres) and then run in one exchange: bind, execute, sync. The user read by e-mail of a login
//    went from 0.44 to 0.15 ms (an in-memory clone, 2,000 runs each), the event loop's CPU per login from 6.0–6.8 to
//    4.5–5.1 ms (10 clients, alternating runs). Parameters are serialized by the client's serializers, results parsed
//    by PGlite's own parseResults with the client's parsers, as PGlite's `query` does; statements wait for PGlite's
//    transaction and query locks as `query` does, so none runs inside another caller's transaction.
//    A text that cannot be named (the parse fails: the unnamed run then reports the error as usual), one without
//    parameters, one with options other than drizzle's (rowMode, parsers), and every text past the cap of
//    statement-names.ts run through `query`.
//    Statements inside a drizzle transaction run on PGlite's transaction object, unnamed.
// 3. The reply. PGlite's parser copies every field of every message into an ArrayBuffer of its own, and `execProtocol`
//    copies the reply twice more. A named statement's reply is read from its bytes here instead (replyMessages; an
//    error or any other message still goes through PGlite's parser), and its columns come from the description made
//    once. The login's user read went from 0.27 to 0.17 ms of CPU, its session insert from 0.79–0.87 to 0.59–0.72 ms,
//    the event loop's CPU per login (10 clients, after 10 s of logins) from 3.13 / 3.15 / 3.01 to 2.75 / 3.08 / 2.54
//    ms in alternating runs.
import { parse, type PGlite, protocol, type QueryOptions, type Results, types } from '@electric-sql/pglite';
import { MAX_NAMED_STATEMENTS, statementNames } from './statement-names';

const TEXT_TYPES = [types.TIMESTAMP, types.TIMESTAMPTZ, types.INTERVAL, types.DATE, 1231, 1115, 1185, 1187, 1182];
const asText = (value: string): string => value;
const SAMPLE = '2026-01-01 00:00:00+00';
// Backend message codes of a named statement's reply: BindComplete, DataRow, CommandComplete, ReadyForQuery.
const [BIND_COMPLETE, DATA_ROW, COMMAND_COMPLETE, READY_FOR_QUERY] = ['2', 'D', 'C', 'Z'].map((code) => code.charCodeAt(0)) as [number, number, number, number];

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

/** A named statement as the server described it once: its parameters' types and its columns (none: no rows). */
interface Statement {
  types: number[];
  description: { name: 'rowDescription'; fields: { name: string; dataTypeID: number }[] } | undefined;
}

type ReplyMessage = { name: string } & Record<string, unknown>;

/**
 * The messages of a named statement's reply (bind, rows, command, ready), in the shapes PGlite's parseResults reads,
 * read directly from the bytes: PGlite's own parser copies every field into an ArrayBuffer of its own first. A reply
 * with any other message (an error, a notice) goes through PGlite's parser whole, and its first error is raised as
 * PGlite's `execProtocol` raises it. The columns come from the statement's description (no Describe per run).
 */
function replyMessages(reply: Buffer, description: Statement['description']): ReplyMessage[] {
  const messages: ReplyMessage[] = description ? [description] : [];
  for (let at = 0; at < reply.length; ) {
    const code = reply[at]!;
    const end = at + 1 + reply.readInt32BE(at + 1);
    if (code === DATA_ROW) {
      const count = reply.readInt16BE(at + 5);
      const fields: (string | null)[] = new Array<string | null>(count);
      let field = at + 7;
      for (let index = 0; index < count; index++) {
        const length = reply.readInt32BE(field);
        field += 4;
        fields[index] = length < 0 ? null : reply.toString('utf8', field, (field += length));
      }
      messages.push({ name: 'dataRow', fields });
    } else if (code === COMMAND_COMPLETE) {
      messages.push({ name: 'commandComplete', text: reply.toString('utf8', at + 5, end - 1) });
    } else if (code !== BIND_COMPLETE && code !== READY_FOR_QUERY) {
      return parsedByPglite(reply, description);
    }
    at = end;
  }
  return messages;
}

function parsedByPglite(reply: Buffer, description: Statement['description']): ReplyMessage[] {
  const messages: ReplyMessage[] = description ? [description] : [];
  new protocol.Parser().parse(reply, (message) => messages.push(message as unknown as ReplyMessage));
  const error = messages.find((message) => message instanceof protocol.messages.DatabaseError);
  if (error) throw error;
  return messages;
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
  /** Per name: what the server described, or null when it refused to parse the text. */
  const prepared = new Map<string, Statement | null>();

  const sameAsClient = (parsers: NonNullable<QueryOptions['parsers']>) =>
    TEXT_TYPES.every((type) => client.parsers[type] === asText) &&
    Object.entries(parsers).every(([type, parser]) => TEXT_TYPES.includes(Number(type)) && typeof parser === 'function' && parser(SAMPLE) === SAMPLE);
  const withoutSameParsers = (options: QueryOptions | undefined): QueryOptions | undefined => {
    if (!options?.parsers || !sameAsClient(options.parsers)) return options;
    const { parsers: _same, ...rest } = options;
    return rest;
  };

  /** Inside PGlite's locks. Null: the server refused to parse it (the unnamed run reports why). */
  async function prepare(name: string, text: string): Promise<Statement | null> {
    try {
      const { messages } = await client.execProtocol(concat([serialize.parse({ name, text }), serialize.describe({ type: 'S', name }), serialize.sync()]), { syncToFs: false });
      const parameters = messages.find((message) => message.name === 'parameterDescription') as { dataTypeIDs?: number[] } | undefined;
      const columns = messages.find((message) => message.name === 'rowDescription') as { fields: { name: string; dataTypeID: number }[] } | undefined;
      return {
        types: parameters?.dataTypeIDs ?? [],
        description: columns ? { name: 'rowDescription', fields: columns.fields.map(({ name, dataTypeID }) => ({ name, dataTypeID })) } : undefined,
      };
    } catch {
      return null;
    }
  }

  /** Runs `text` under `name`; undefined when the server refused to parse it (then the caller runs it unnamed). */
  function runNamed(name: string, text: string, params: unknown[], options: QueryOptions | undefined): Promise<Results | undefined> {
    return client._runExclusiveTransaction(() =>
      client._runExclusiveQuery(async () => {
        let statement = prepared.get(name);
        if (statement === undefined) prepared.set(name, (statement = await prepare(name, text)));
        if (statement === null) return undefined;
        const { types } = statement;
        const values = params.map((value, index) => {
          if (value === null || value === undefined) return null;
          const serializer = client.serializers[types[index]!];
          return serializer ? serializer(value) : String(value);
        });
        const chunks: Buffer[] = [];
        try {
          await client.execProtocolRawStream(concat([serialize.bind({ statement: name, values }), serialize.execute({}), serialize.sync()]), {
            // A view of PGlite's memory, valid only during the call.
            onRawData: (data) => chunks.push(Buffer.from(data)),
          });
          const messages = replyMessages(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), statement.description);
          return parse.parseResults(messages as unknown as Parameters<typeof parse.parseResults>[0], client.parsers, options)[0];
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
