import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Config, ConfigError } from '../config';
import { describeError } from '../core/logger';
import type { Clock, Database, KeyValueStore } from '../core/ports';
import { createEmbeddedStore } from '../adapters/kv/embedded';

// The Node stores chosen by the settings. A store that cannot be opened stops start-up with one line naming the
// setting that pointed at it: "ECONNREFUSED 127.0.0.1:1" alone does not tell a newcomer which setting to fix.
// Each adapter is imported when it is chosen: under `npm start` (tsx) loading the unused ones (node-redis, node-postgres,
// PGlite's or Postgres' drizzle driver) was a sizeable part of start-up.

/** Whether PGlite or the embedded key-value store will keep their files in DATA_DIR. */
export function usesDataDir(config: Config): boolean {
  return !config.databaseUrl || (!config.redisUrl && !config.upstash);
}

export async function openDatabase(config: Config): Promise<Database> {
  if (config.databaseUrl) {
    const onPreparedRefused = (error: Error) =>
      console.warn(`authgate: DATABASE_URL's server refused a prepared statement (${describeError(error)}); a pooler in transaction mode? Statements now go unprepared.`);
    return named('DATABASE_URL', config.databaseUrl, async () =>
      (await import('../adapters/db/postgres')).openPostgresDatabase(config.databaseUrl!, { onPreparedRefused }),
    );
  }
  return named('DATA_DIR', config.dataDir, async () => {
    await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
    const { openPgliteDatabase } = await import('../adapters/db/pglite');
    const { templateRootOf } = await import('../adapters/db/pglite-template');
    // A new DATA_DIR starts as a copy of a migrated template kept beside `npm start`'s bundle (pglite-template.ts).
    const templateRoot = templateRootOf(process.env);
    const progress = (line: string) => console.log(`authgate: ${line}`);
    return openPgliteDatabase({ dataDir: join(config.dataDir, 'pglite'), ...(templateRoot ? { templateRoot } : {}), progress });
  });
}

export async function openKeyValue(config: Config, clock: Clock): Promise<KeyValueStore> {
  if (config.redisUrl) {
    return named('REDIS_URL', config.redisUrl, async () => (await import('../adapters/kv/redis')).createRedisStore({ url: config.redisUrl!, clock }));
  }
  if (config.upstash) return (await import('../adapters/kv/upstash')).createUpstashStore({ ...config.upstash, clock });
  return named('DATA_DIR', config.dataDir, async () => {
    await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
    return createEmbeddedStore({ file: join(config.dataDir, 'kv.json'), clock });
  });
}

/** Runs `open`; its failure becomes a ConfigError naming `setting`, showing `value` without a password. */
export async function named<T>(setting: string, value: string, open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (error) {
    let reason = failureReason(error).replace(/\s+/g, ' ');
    // Drivers do not echo passwords, but a message is no place to find out; a very short one would mangle the text.
    for (const secret of passwordsOf(value)) if (secret.length >= 4) reason = reason.split(secret).join('***');
    throw new ConfigError(`setting ${setting}: cannot use ${withoutPassword(value)} (${reason})`, { cause: error });
  }
}

interface SystemError {
  code?: unknown;
  address?: unknown;
  port?: unknown;
  path?: unknown;
  /** node-redis wraps the reason a connection gave up in a ReconnectStrategyError's originalError, not in `cause`. */
  originalError?: unknown;
}

/** "ECONNREFUSED 127.0.0.1:1" from the socket or file error anywhere in the cause chain, else the error's summary. */
function failureReason(error: unknown): string {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 4; cause = cause.cause ?? (cause as SystemError).originalError, depth++) {
    if (cause instanceof AggregateError && cause.errors.length > 0) return [...new Set(cause.errors.map(failureReason))].join('; ');
    const { code, address, port, path } = cause as SystemError;
    if (typeof code === 'string' && typeof address === 'string') return `${code} ${address}${typeof port === 'number' ? `:${port}` : ''}`;
    if (typeof code === 'string' && typeof path === 'string') return `${code} ${path}`;
  }
  return describeError(error);
}

/** The URL's password as written and as decoded. */
function passwordsOf(value: string): string[] {
  if (!URL.canParse(value)) return [];
  const { password } = new URL(value);
  return password ? [password, decodeURIComponent(password)] : [];
}

function withoutPassword(value: string): string {
  if (!URL.canParse(value)) return value;
  const url = new URL(value);
  if (!url.password) return value;
  url.password = '***';
  return url.toString();
}
