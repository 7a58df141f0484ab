import { StoreUnavailableError } from '../../core/errors';

// Connection-level failures (the server is down or unreachable) are "the database is unavailable" (503), unlike a
// query that failed on a reachable server (a bug: 500). Codes: Node's socket errors, SQLSTATE class 08 (connection
// exception), 57P01-57P03 (server shutting down / cannot connect now) and 57014 (cancelled by statement_timeout);
// messages: node-postgres's own connect and read deadlines (postgres.ts) and the other drivers' lost connections.
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'EHOSTUNREACH']);
const UNAVAILABLE_MESSAGE = /fetch failed|Connection terminated|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect|Query read timeout|PGlite is closed|network connection (was )?lost/i;

export function isUnavailable(error: unknown, depth = 0): boolean {
  if (depth > 5 || typeof error !== 'object' || error === null) return false;
  const { code, message, cause } = error as { code?: unknown; message?: unknown; cause?: unknown };
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || code.startsWith('08') || /^57P0[123]$|^57014$/.test(code))) return true;
  if (typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message)) return true;
  if (error instanceof AggregateError && error.errors.some((e) => isUnavailable(e, depth + 1))) return true;
  return isUnavailable(cause, depth + 1);
}

/** Wraps every method of a repository so connection failures surface as StoreUnavailableError('database'). */
export function withUnavailableMapping<T extends object>(repository: T): T {
  const wrapped = {} as Record<string, unknown>;
  for (const [name, value] of Object.entries(repository)) {
    wrapped[name] =
      typeof value === 'function'
        ? async (...args: unknown[]) => {
            try {
              return await (value as (...a: unknown[]) => Promise<unknown>).apply(repository, args);
            } catch (error) {
              throw isUnavailable(error) ? new StoreUnavailableError('database', error) : error;
            }
          }
        : value;
  }
  return wrapped as T;
}
