// The embedded database's copy of recently read user rows, so the session check (one user read per request) does not
// run a query on PGlite, which executes on the event loop. Only for PGlite: one process owns an embedded database (the
// DATA_DIR lock; the admin CLI opens it only while no server does), so every write to it passes through this process
// and is seen here before it is acknowledged. A shared database (PostgreSQL, Neon) has writers elsewhere: no cache.
import type { PGlite } from '@electric-sql/pglite';
import type { UserRecord } from '../../core/ports';

/** Most user rows kept; past it the cache starts over (it only saves reads). */
const MAX_ROWS = 10_000;

export interface UserRowCache {
  /** The row, from the cache or else from `read` (then kept unless a write ran meanwhile). */
  findById(id: string, read: () => Promise<UserRecord | null>): Promise<UserRecord | null>;
}

/** A statement that cannot write: a plain SELECT. Anything else (WITH … UPDATE, INSERT, DDL, …) counts as a write. */
function isPlainSelect(query: string): boolean {
  return /^\s*select\s/i.test(query);
}

/**
 * Wraps the PGlite client drizzle runs on: every statement that may write empties the cache before it runs and again
 * once it finished (so a read that overlapped it cannot put back what it read before), and so does every
 * transaction. Returns the client to hand to drizzle and the cache for the user repository.
 */
export function cacheUserRows(client: PGlite): { client: PGlite; cache: UserRowCache } {
  const rows = new Map<string, UserRecord>();
  let writes = 0;
  const written = () => {
    writes += 1;
    rows.clear();
  };
  const around = async <T>(run: () => Promise<T>): Promise<T> => {
    written();
    try {
      return await run();
    } finally {
      written();
    }
  };
  const tracked = new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'query') {
        return (query: string, ...rest: unknown[]) =>
          isPlainSelect(query)
            ? (target.query as (...args: unknown[]) => Promise<unknown>)(query, ...rest)
            : around(() => (target.query as (...args: unknown[]) => Promise<unknown>)(query, ...rest));
      }
      if (property === 'exec' || property === 'transaction') {
        const method = Reflect.get(target, property, target) as (...args: unknown[]) => Promise<unknown>;
        return (...args: unknown[]) => around(() => method.apply(target, args));
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const cache: UserRowCache = {
    async findById(id, read) {
      const kept = rows.get(id);
      if (kept) return { ...kept };
      const before = writes;
      const row = await read();
      if (row && writes === before) {
        if (rows.size >= MAX_ROWS) rows.clear();
        rows.set(id, { ...row });
      }
      return row;
    },
  };
  return { client: tracked, cache };
}
