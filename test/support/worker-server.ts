// The Worker as Cloudflare would run it, served over HTTP on a loopback port for a browser: the bundle
// `npm run build:worker` makes (`wrangler deploy --dry-run`, into a temp dir here), run by workerd through Miniflare's
// programmatic API with wrangler.toml's compatibility date and flags, and the settings as plain bindings (what
// `wrangler secret put` and [vars] give in production). It reaches PostgreSQL and Redis through the tests' Neon and
// Upstash bridges (global-setup.ts), in a fresh database cloned from the migrated template, exactly as the
// http-workerd harness does. workerd is a child of this process; a watchdog (./watchdog.ts) signals its exact pid if
// this process dies before close().
import { readdirSync, readlinkSync, readFileSync, realpathSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertV4MiniflareOptions, Miniflare } from 'miniflare';
import { inject } from 'vitest';
import { neonHttp } from '../../src/adapters/db/neon-http';
import { bytesToHex, webRandom } from '../../src/core/crypto';
import { generatePrivateKeyPem } from '../../src/core/keys';
import { repoRoot } from './authgate-process';
import { baseTestEnv, type ReceivedMail } from './harness';
import { commandEnv, runCommand } from './run-command';
import { startWatchdog } from './watchdog';

export interface WorkerServer {
  /** http://localhost:PORT: where the browser goes (and APP_URL). */
  origin: string;
  /** Mail the Worker sent to `to` through the HTTP mail transport, newest first. */
  mailbox(to: string): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

const OFFLINE = { WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_ERROR_REPORTS: 'false' };

/** `npm run build:worker` into `outdir`: worker.js and the .wasm modules it imports. */
async function buildWorker(outdir: string): Promise<void> {
  const wrangler = join(repoRoot, 'node_modules/wrangler/bin/wrangler.js');
  await runCommand(process.execPath, [wrangler, 'deploy', '--dry-run', '--outdir', outdir], { cwd: repoRoot, timeoutMs: 120_000, env: commandEnv(OFFLINE) });
}

/** compatibility_date and compatibility_flags of wrangler.toml (the two lines the Worker's runtime depends on). */
function compatibility(): { compatibilityDate: string; compatibilityFlags: string[] } {
  const toml = readFileSync(join(repoRoot, 'wrangler.toml'), 'utf8');
  const date = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)?.[1];
  const flags = /^compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(toml)?.[1];
  if (!date) throw new Error('wrangler.toml has no compatibility_date');
  return { compatibilityDate: date, compatibilityFlags: [...(flags ?? '').matchAll(/"([^"]+)"/g)].map((m) => m[1]!) };
}

/** Pids of this process's children (every thread's), read from /proc. */
function childPids(): Set<number> {
  const pids = new Set<number>();
  for (const task of readdirSync('/proc/self/task')) {
    const text = readFileSync(`/proc/self/task/${task}/children`, 'utf8').trim();
    for (const pid of text ? text.split(/\s+/) : []) pids.add(Number(pid));
  }
  return pids;
}

/** The binary Miniflare runs (its own rule: MINIFLARE_WORKERD_PATH, else the workerd package's). */
function workerdBinary(): string {
  const fromMiniflare = createRequire(createRequire(import.meta.url).resolve('miniflare'));
  return realpathSync(process.env.MINIFLARE_WORKERD_PATH ?? (fromMiniflare('workerd') as { default: string }).default);
}

export async function startWorkerServer(port: number, env: Record<string, string> = {}): Promise<WorkerServer> {
  const dir = await mkdtemp(join(tmpdir(), 'authgate-worker-'));
  const serverUrl = new URL(inject('neonServerUrl'));
  const database = `w_${crypto.randomUUID().replaceAll('-', '')}`;
  // From here on a watchdog removes the build directory even if this process dies; close() runs `stopping` in
  // reverse order (and so does a start that fails half-way).
  const dirWatchdog = startWatchdog([], dir);
  const stopping: (() => Promise<unknown>)[] = [() => dirWatchdog.stop()];
  const stopAll = async () => {
    for (const stop of stopping.splice(0).reverse()) await stop().catch(() => {});
  };
  try {
    await buildWorker(dir);
    await neonHttp(serverUrl.toString()).query(`CREATE DATABASE ${database} TEMPLATE ${inject('templateDatabase')}`);
    stopping.push(() => neonHttp(serverUrl.toString()).query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
    return await serve(dir, port, databaseUrlOf(serverUrl, database), env, stopping, stopAll);
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function databaseUrlOf(serverUrl: URL, database: string): URL {
  const databaseUrl = new URL(serverUrl);
  databaseUrl.pathname = `/${database}`;
  return databaseUrl;
}

async function serve(
  dir: string,
  port: number,
  databaseUrl: URL,
  env: Record<string, string>,
  stopping: (() => Promise<unknown>)[],
  stopAll: () => Promise<void>,
): Promise<WorkerServer> {
  const origin = `http://localhost:${port}`;
  const before = childPids();
  const binary = workerdBinary();
  // Miniflare 5 still takes the v4 option shape through its converter (the one documented in its README).
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: '127.0.0.1',
      port,
      // No request to Cloudflare for the `cf` object.
      cf: false,
      ...compatibility(),
      modulesRoot: dir,
      // The entry first (workerd takes the first module as the main one), then the .wasm modules it imports.
      modules: [
        { type: 'ESModule' as const, path: join(dir, 'worker.js') },
        ...readdirSync(dir)
          .filter((name) => name.endsWith('.wasm'))
          .map((name) => ({ type: 'CompiledWasm' as const, path: join(dir, name) })),
      ],
      bindings: {
        ...baseTestEnv,
        APP_URL: origin,
        MAIL_TRANSPORT: 'http',
        MAIL_HTTP_URL: inject('mailSinkUrl'),
        MAIL_HTTP_TOKEN: 'mail-sink-token',
        DATABASE_URL: databaseUrl.toString(),
        UPSTASH_REDIS_REST_URL: inject('upstashUrl'),
        UPSTASH_REDIS_REST_TOKEN: inject('upstashToken'),
        JWT_PRIVATE_KEY: await generatePrivateKeyPem(),
        MFA_ENCRYPTION_KEY: bytesToHex(webRandom.bytes(32)),
        ...env,
      },
    }),
  );
  stopping.push(() => mf.dispose());
  await mf.ready;
  const workerd = [...childPids()].filter((pid) => !before.has(pid) && exeOf(pid) === binary);
  if (workerd.length !== 1) throw new Error(`expected one workerd child of this process, found ${workerd.length}`);
  // A second watchdog owns workerd's pid. close() disposes of Miniflare first, then stops it (it finds workerd gone).
  const watchdog = startWatchdog([{ kill: workerd[0]! }], dir);
  stopping.splice(stopping.length - 1, 0, () => watchdog.stop());
  return {
    origin,
    async mailbox(to) {
      const response = await fetch(`${inject('mailSinkMessagesUrl')}?to=${encodeURIComponent(to)}`);
      return ((await response.json()) as { messages: ReceivedMail[] }).messages;
    },
    close: stopAll,
  };
}

function exeOf(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return null;
  }
}
