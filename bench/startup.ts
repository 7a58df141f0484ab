// Start-up time, spawn → first 200 on /health (issue 13: existing DATA_DIR ≤ 2 s, fresh DATA_DIR ≤ 6 s), for
// `npm start` (scripts/start.mjs: the server from its cached bundle of src/, a new DATA_DIR copied from the cached
// database template; both made by `npm install`'s prepare script), `npm start` when the bundle has to be built first
// (after a change to src/), `npm start` with nothing cached (an install that skipped its prepare script: the bundle
// built and the template made by the start itself), `npm start` where nothing can be written to its cache (the
// sources through tsx and the database created in place, for comparison) and, when it has been built (`npm run
// build:node`), the compiled bundle dist/node/server.mjs that production runs. The bench's `npm start` caches are its
// own, under node_modules/.cache/.
//
//   node --import tsx bench/startup.ts            # RUNS=5 for more runs per figure
//
// Each run: a fresh temp DATA_DIR (PGlite created and migrated, a signing key generated), one registration, a login
// and a logout (so the key-value journal has records), SIGTERM; then a start on that existing DATA_DIR. /health is
// polled every 10 ms from the moment of the spawn. The figure is the median of the runs. On a machine shared with other
// work the wall time stretches with the load; the CPU time the server process had used by its first 200 (Linux:
// /proc/<pid>/stat, all its threads) does much less, and is what an idle machine's wall time is close to.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { callAuthgate as call } from '../test/support/authgate-fleet';
import { type AuthgateProcess, freePort, repoRoot, spawnAuthgate, spawnNode } from '../test/support/authgate-process';

import type { BenchRow } from './bench-row';

const RUNS = Number(process.env.RUNS ?? 3);
const GOAL_EXISTING_MS = 2_000;
const GOAL_FRESH_MS = 6_000;
const POLL_MS = 10;
const GIVE_UP_MS = 120_000;
const BUNDLE = join(repoRoot, 'dist/node/server.mjs');

const CACHES = join(repoRoot, 'node_modules/.cache', `authgate-startup-bench-${process.pid}`);

interface Variant {
  label: string;
  args?: string[];
  /** Settings for one start (an `npm start` cache folder). */
  env?: () => Record<string, string>;
  /** Whether the goals apply (not to the fallback, shown for comparison). */
  goals: boolean;
}

function variants(): Variant[] {
  let fresh = 0;
  const warmCache = join(CACHES, 'warm');
  const blocked = join(CACHES, 'blocked');
  /** A cache folder of its own holding the warm folder's database template but no bundle. */
  const templateOnly = () => {
    const dir = join(CACHES, `template-only-${(fresh += 1)}`);
    for (const name of readdirSync(warmCache).filter((entry) => entry.startsWith('pglite-template-'))) {
      cpSync(join(warmCache, name), join(dir, name), { recursive: true });
    }
    return { AUTHGATE_START_CACHE: dir };
  };
  const list: Variant[] = [
    { label: 'npm start (after npm install: bundle and template cached)', env: () => ({ AUTHGATE_START_CACHE: warmCache }), goals: true },
    { label: 'npm start (bundle built first: src/ changed)', env: templateOnly, goals: true },
    {
      label: 'npm start (nothing cached: npm install without its prepare script)',
      env: () => ({ AUTHGATE_START_CACHE: join(CACHES, `empty-${(fresh += 1)}`) }),
      goals: false,
    },
    { label: 'npm start (no bundle: tsx)', env: () => ({ AUTHGATE_START_CACHE: join(blocked, 'cache') }), goals: false },
  ];
  if (existsSync(BUNDLE)) list.push({ label: 'node dist/node/server.mjs', args: ['--enable-source-maps', BUNDLE], env: () => ({ AUTHGATE_START_CACHE: warmCache }), goals: true });
  return list;
}

/**
 * The cached variant's bundle and database template are made before its timed starts (as `npm install` makes them:
 * scripts/prepare.mjs); the fallback's cache folder is a file.
 */
async function prepareCaches(): Promise<void> {
  mkdirSync(CACHES, { recursive: true });
  writeFileSync(join(CACHES, 'blocked'), '');
  const prepared = spawnNode(['scripts/prepare.mjs'], { AUTHGATE_START_CACHE: join(CACHES, 'warm') });
  const status = await prepared.exited;
  if (status.code !== 0 || !readdirSync(join(CACHES, 'warm')).some((name) => name.startsWith('pglite-template-'))) {
    throw new Error(`scripts/prepare.mjs made no bundle and template:\n${prepared.stdout()}${prepared.stderr()}`);
  }
}

/** CPU seconds (user + system, all threads) the process has used so far; NaN where /proc is missing. */
function cpuSeconds(pid: number): number {
  try {
    // Fields after the parenthesised command name: state is the 1st, utime the 12th, stime the 13th (proc(5)).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ, 100 on Linux
  } catch {
    return Number.NaN;
  }
}

interface Timed {
  ms: number;
  cpuS: number;
}

async function untilHealthy(server: AuthgateProcess, startedMs: number): Promise<Timed> {
  while (performance.now() - startedMs < GIVE_UP_MS) {
    if (!server.running()) throw new Error(`authgate exited before answering /health:\n${server.stdout()}${server.stderr()}`);
    const response = await fetch(`${server.baseUrl}/health`, { signal: AbortSignal.timeout(2_000) }).catch(() => null);
    if (response?.status === 200) {
      const timed = { ms: performance.now() - startedMs, cpuS: cpuSeconds(server.pid) };
      await response.body?.cancel();
      return timed;
    }
    await response?.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`authgate did not answer /health within ${GIVE_UP_MS} ms`);
}

async function timedStart(settings: Record<string, string>, variant: Variant): Promise<{ server: AuthgateProcess } & Timed> {
  // The variant's cache folder is set up (a template copied in) before the clock starts.
  const env = { ...settings, ...variant.env?.() };
  const startedMs = performance.now();
  const server = spawnAuthgate(env, variant.args ? { args: variant.args } : {});
  try {
    return { server, ...(await untilHealthy(server, startedMs)) };
  } catch (error) {
    await server.kill();
    throw error;
  }
}

async function stop(server: AuthgateProcess): Promise<void> {
  server.signal('SIGTERM');
  const status = await server.exited;
  if (status.code !== 0) throw new Error(`authgate exited with ${JSON.stringify(status)} on SIGTERM:\n${server.stderr()}`);
}

/** One fresh start and one start on the DATA_DIR it left, in ms. */
async function measureOnce(variant: Variant): Promise<{ fresh: Timed; existing: Timed }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'authgate-startup-'));
  const settings = { DATA_DIR: dataDir, PORT: String(await freePort()), HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
  try {
    const fresh = await timedStart(settings, variant);
    try {
      const account = { email: 'startup@example.com', password: 'violet-harbour-lantern-42' };
      await call(fresh.server, '/api/v1/auth/register', { method: 'POST', json: { ...account, name: 'S' } });
      const login = await call(fresh.server, '/api/v1/auth/login', { method: 'POST', json: account });
      await call(fresh.server, '/api/v1/auth/logout', { method: 'POST', token: login.body.data.accessToken });
    } finally {
      await stop(fresh.server);
    }
    const existing = await timedStart(settings, variant);
    await stop(existing.server);
    return { fresh, existing };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;

export interface StartupFigures {
  variant: string;
  goals: boolean;
  freshMs: number[];
  existingMs: number[];
  freshCpuS: number[];
  existingCpuS: number[];
}

export async function measure(runs = RUNS): Promise<StartupFigures[]> {
  const figures: StartupFigures[] = [];
  try {
    await prepareCaches();
    for (const variant of variants()) {
      const entry: StartupFigures = { variant: variant.label, goals: variant.goals, freshMs: [], existingMs: [], freshCpuS: [], existingCpuS: [] };
      for (let i = 0; i < runs; i += 1) {
        const { fresh, existing } = await measureOnce(variant);
        entry.freshMs.push(fresh.ms);
        entry.existingMs.push(existing.ms);
        entry.freshCpuS.push(fresh.cpuS);
        entry.existingCpuS.push(existing.cpuS);
      }
      figures.push(entry);
    }
  } finally {
    rmSync(CACHES, { recursive: true, force: true });
  }
  return figures;
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const { variant, goals, freshMs, existingMs } of await measure()) {
    const existing = Math.round(median(existingMs));
    const fresh = Math.round(median(freshMs));
    const goal = (limit: number, value: number) => (goals ? { goal: `≤ ${limit}`, ok: value <= limit } : { goal: '', ok: true });
    rows.push({ name: `startup: existing DATA_DIR → /health 200, ${variant}`, value: existing, unit: 'ms', ...goal(GOAL_EXISTING_MS, existing) });
    rows.push({ name: `startup: fresh DATA_DIR → /health 200, ${variant}`, value: fresh, unit: 'ms', ...goal(GOAL_FRESH_MS, fresh) });
  }
  return rows;
}

async function main(): Promise<void> {
  const figures = await measure();
  const ms = (values: number[]) => values.map((value) => Math.round(value)).join(', ');
  const cpu = (values: number[]) => median(values).toFixed(2);
  console.log(`| command | DATA_DIR | median (ms) | runs (ms) | goal (ms) | CPU to first 200, median (s) |`);
  console.log('| --- | --- | ---: | --- | ---: | ---: |');
  for (const { variant, goals, freshMs, existingMs, freshCpuS, existingCpuS } of figures) {
    const goal = (limit: number) => (goals ? `≤ ${limit}` : '');
    console.log(`| ${variant} | existing | ${Math.round(median(existingMs))} | ${ms(existingMs)} | ${goal(GOAL_EXISTING_MS)} | ${cpu(existingCpuS)} |`);
    console.log(`| ${variant} | fresh | ${Math.round(median(freshMs))} | ${ms(freshMs)} | ${goal(GOAL_FRESH_MS)} | ${cpu(freshCpuS)} |`);
  }
  if (!existsSync(BUNDLE)) console.log('(dist/node/server.mjs not built: `npm run build:node` adds the compiled bundle to the table)');
  const summary = figures.map(({ variant, freshMs, existingMs }) => `${variant}: existing ${Math.round(median(existingMs))} ms, fresh ${Math.round(median(freshMs))} ms`);
  console.log(`startup (goal existing ≤ ${GOAL_EXISTING_MS} ms, fresh ≤ ${GOAL_FRESH_MS} ms): ${summary.join('; ')}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
