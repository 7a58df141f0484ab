// Node only: node-postgres with server-side prepared statements.
import pg from 'pg';
import type { StatementNames } from './statement-names';

// Every statement we send is one of a fixed set of texts with $n parameters, but node-postgres sends each unnamed,
// so PostgreSQL parses and plans it again on every call. For the refresh rotation (one statement of four CTEs)
// planning was as costly as executing: 0.40 ms of plan and 0.42 ms of execution per call (pg_stat_statements,
// bench/refresh.ts). Named, a statement is parsed once per connection, and after five runs PostgreSQL keeps a generic
// plan when it is no worse than the custom ones.
//
// The names are given here, per statement text, in the pool's client class, so every repository benefits and none
// has to name its statements. The number of names is capped: a text built with a varying number of parameters would
// otherwise add prepared statements to every connection without end. A connection pooler in transaction mode
// (PgBouncer before 1.21) cannot keep prepared statements: at its first refusal (26000 "does not exist", 42P05
// "already exists", both before the statement ran) naming stops for the pool and the statement is sent again unnamed.

const PREPARED_STATEMENTS_REFUSED = new Set(['26000', '42P05']);

interface QueryConfig {
  text: string;
  values?: unknown[];
  name?: string;
}

/** A statement given as a config object (drizzle's form), not a text or a Submittable (pg.Query, a cursor). */
function isQueryConfig(config: unknown): config is QueryConfig {
  if (typeof config !== 'object' || config === null) return false;
  const candidate = config as { text?: unknown; submit?: unknown };
  return typeof candidate.text === 'string' && typeof candidate.submit !== 'function';
}

/**
 * The name to send `config` under: its own (a drizzle `.prepare(name)`), or ours for a text with parameters. A text
 * without parameters goes by the simple protocol (which allows several commands in one text) and has no plan worth
 * keeping. `values`: the parameters passed beside the config (drizzle's `client.query(config, params)`).
 */
function nameOf(config: QueryConfig, values: unknown, names: StatementNames): string | undefined {
  if (config.name !== undefined) return config.name;
  const parameters = config.values ?? values;
  return Array.isArray(parameters) && parameters.length > 0 ? names.nameFor(config.text) : undefined;
}

function refusedPrepared(error: unknown): boolean {
  return typeof error === 'object' && error !== null && PREPARED_STATEMENTS_REFUSED.has(String((error as { code?: unknown }).code));
}

type Callback = (error: Error | null, result?: unknown) => void;
type AnyQuery = (this: pg.Client, ...args: unknown[]) => unknown;

/**
 * A pg.Client class (for pg.Pool's `Client` option) that names each statement through `names`, and that sends every
 * statement unnamed (ours and those named elsewhere alike) once the connection path has refused one.
 */
export function preparingClient(names: StatementNames, onRefused: (error: Error) => void = () => {}): typeof pg.Client {
  const query = pg.Client.prototype.query as AnyQuery;
  let refusalReported = false;
  const refused = (error: unknown) => {
    names.disable();
    if (!refusalReported) onRefused(error as Error);
    refusalReported = true;
  };

  class PreparingClient extends pg.Client {}
  (PreparingClient.prototype as unknown as { query: AnyQuery }).query = function (this: pg.Client, config: unknown, ...rest: unknown[]) {
    if (!isQueryConfig(config)) return query.call(this, config, ...rest);
    const unnamed = config.name === undefined ? config : { ...config, name: undefined };
    const name = names.enabled ? nameOf(config, rest[0], names) : undefined;
    if (name === undefined) return query.call(this, unnamed, ...rest);
    const named = config.name === name ? config : { ...config, name };
    const at = rest.findIndex((arg) => typeof arg === 'function');
    if (at >= 0) {
      // The callback form (pg.Pool's own query()).
      const callback = rest[at] as Callback;
      const args = [...rest];
      args[at] = (error: Error | null, result?: unknown) => {
        if (error && refusedPrepared(error)) {
          refused(error);
          query.call(this, unnamed, ...rest);
          return;
        }
        callback(error, result);
      };
      return query.call(this, named, ...args);
    }
    // The promise form (a client checked out for a transaction).
    return (query.call(this, named, ...rest) as Promise<unknown>).catch((error: unknown) => {
      if (!refusedPrepared(error)) throw error;
      refused(error);
      return query.call(this, unnamed, ...rest);
    });
  };
  return PreparingClient;
}
