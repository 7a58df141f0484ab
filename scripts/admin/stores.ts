import { join } from 'node:path';
import type { Config } from '../../src/config';
import { createJsonLogger, describeError } from '../../src/core/logger';
import type { AppDeps } from '../../src/http/env';
import { systemClock } from '../../src/runtime/assemble';
import { createNodeDeps, openDatabase, openKeyValue } from '../../src/runtime/node-deps';
import { CliError } from './cli-error';
import { holdDataDir } from './data-dir-lock';

// The same stores the server opens for these settings (DATABASE_URL or DATA_DIR's PGlite; REDIS_URL, Upstash or
// DATA_DIR's kv.json), so a revocation lands in the denylist the server reads.

export interface CliStores {
  deps: AppDeps;
  close(): Promise<void>;
}

function withoutPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/** "ECONNREFUSED 127.0.0.1:1" from anywhere in the cause chain, else a one-line summary (never a password). */
function reason(error: unknown, secret?: string): string {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth++) {
    if (cause instanceof AggregateError && cause.errors.length > 0) return reason(cause.errors[0], secret);
    const { code, address, port } = cause as { code?: unknown; address?: unknown; port?: unknown };
    if (typeof code === 'string' && typeof address === 'string') return `${code} ${address}${typeof port === 'number' ? `:${port}` : ''}`;
  }
  const text = describeError(error).replace(/\s+/g, ' ');
  return secret ? text.split(secret).join('***') : text;
}

async function opening<T>(what: string, open: () => Promise<T>, secret?: string): Promise<T> {
  try {
    return await open();
  } catch (error) {
    throw new CliError(`cannot open ${what}: ${reason(error, secret)}`);
  }
}

export async function openStores(config: Config): Promise<CliStores> {
  const embedded = !config.databaseUrl || (!config.redisUrl && !config.upstash);
  const release = embedded ? holdDataDir(config.dataDir) : () => {};
  process.once('exit', release);
  try {
    const password = config.databaseUrl ? new URL(config.databaseUrl).password || undefined : undefined;
    const db = await opening(
      config.databaseUrl ? `the database at DATABASE_URL ${withoutPassword(config.databaseUrl)}` : `the embedded database in ${join(config.dataDir, 'pglite')}`,
      () => openDatabase(config),
      password,
    );
    const kv = await opening(
      config.redisUrl ? `the key-value store at REDIS_URL ${withoutPassword(config.redisUrl)}` : config.upstash ? 'Upstash' : `the key-value file in ${config.dataDir}`,
      () => openKeyValue(config, systemClock),
    ).catch(async (error: unknown) => {
      await db.close();
      throw error;
    });
    const logger = createJsonLogger('warn', (line) => process.stderr.write(`${line}\n`));
    const deps = await createNodeDeps(config, { db, kv, logger });
    return {
      deps,
      async close() {
        await Promise.allSettled([db.close(), kv.close()]);
        release();
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}
