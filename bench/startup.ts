// Start-up time, spawn → first 200 on /health (issue 13: existing DATA_DIR ≤ 2 s, fresh DATA_DIR ≤ 6 s), for
// `npm start` (node --import tsx: TypeScript compiled at run time) and, when it has been built
// (`npm run build:node`), the compiled bundle dist/node/server.mjs that production runs.
//
//   node --import tsx bench/startup.ts            # RUNS=5 for more runs per figure
//
// Each run: a fresh temp DATA_DIR (PGlite created and migrated, a signing key generated), one registration, a login
// and a logout (so the key-value journal has records), SIGTERM; then a start on that existing DATA_DIR. /health is
// polled every 10 ms from the moment of the spawn. The figure is the median of the runs.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { callAuthgate as call } from '../test/support/authgate-fleet';
import { type AuthgateProcess, freePort, repoRoot, spawnAuthgate } from '../test/support/authgate-process';

export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  goal: string;
  ok: boolean;
}

const RUNS = Number(process.env.RUNS ?? 3);
const GOAL_EXISTING_MS = 2_000;
const GOAL_FRESH_MS = 6_000;
const POLL_MS = 10;
const GIVE_UP_MS = 120_000;
const BUNDLE = join(repoRoot, 'dist/node/server.mjs');

interface Variant {
  label: string;
  args?: string[];
}

function variants(): Variant[] {
  const list: Variant[] = [{ label: 'npm start (tsx)' }];
  if (existsSync(BUNDLE)) list.push({ label: 'node dist/node/server.mjs', args: ['--enable-source-maps', BUNDLE] });
  return list;
}

async function untilHealthy(server: AuthgateProcess, startedMs: number): Promise<number> {
  while (performance.now() - startedMs < GIVE_UP_MS) {
    if (!server.running()) throw new Error(`authgate exited before answering /health:\n${server.stdout()}${server.stderr()}`);
    const response = await fetch(`${server.baseUrl}/health`, { signal: AbortSignal.timeout(2_000) }).catch(() => null);
    if (response?.status === 200) {
      await response.body?.cancel();
      return performance.now() - startedMs;
    }
    await response?.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`authgate did not answer /health within ${GIVE_UP_MS} ms`);
}

async function timedStart(settings: Record<string, string>, variant: Variant): Promise<{ server: AuthgateProcess; ms: number }> {
  const startedMs = performance.now();
  const server = spawnAuthgate(settings, variant.args ? { args: variant.args } : {});
  try {
    return { server, ms: await untilHealthy(server, startedMs) };
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
async function measureOnce(variant: Variant): Promise<{ freshMs: number; existingMs: number }> {
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
    return { freshMs: fresh.ms, existingMs: existing.ms };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;

export interface StartupFigures {
  variant: string;
  freshMs: number[];
  existingMs: number[];
}

export async function measure(runs = RUNS): Promise<StartupFigures[]> {
  const figures: StartupFigures[] = [];
  for (const variant of variants()) {
    const entry: StartupFigures = { variant: variant.label, freshMs: [], existingMs: [] };
    for (let i = 0; i < runs; i += 1) {
      const { freshMs, existingMs } = await measureOnce(variant);
      entry.freshMs.push(freshMs);
      entry.existingMs.push(existingMs);
    }
    figures.push(entry);
  }
  return figures;
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const { variant, freshMs, existingMs } of await measure()) {
    const existing = Math.round(median(existingMs));
    const fresh = Math.round(median(freshMs));
    rows.push({ name: `startup: existing DATA_DIR → /health 200, ${variant}`, value: existing, unit: 'ms', goal: `≤ ${GOAL_EXISTING_MS}`, ok: existing <= GOAL_EXISTING_MS });
    rows.push({ name: `startup: fresh DATA_DIR → /health 200, ${variant}`, value: fresh, unit: 'ms', goal: `≤ ${GOAL_FRESH_MS}`, ok: fresh <= GOAL_FRESH_MS });
  }
  return rows;
}

async function main(): Promise<void> {
  const figures = await measure();
  const ms = (values: number[]) => values.map((value) => Math.round(value)).join(', ');
  console.log(`| command | DATA_DIR | median (ms) | runs (ms) | goal (ms) |`);
  console.log('| --- | --- | ---: | --- | ---: |');
  for (const { variant, freshMs, existingMs } of figures) {
    console.log(`| ${variant} | existing | ${Math.round(median(existingMs))} | ${ms(existingMs)} | ≤ ${GOAL_EXISTING_MS} |`);
    console.log(`| ${variant} | fresh | ${Math.round(median(freshMs))} | ${ms(freshMs)} | ≤ ${GOAL_FRESH_MS} |`);
  }
  if (!existsSync(BUNDLE)) console.log('(dist/node/server.mjs not built: `npm run build:node` adds the compiled bundle to the table)');
  const summary = figures.map(({ variant, freshMs, existingMs }) => `${variant}: existing ${Math.round(median(existingMs))} ms, fresh ${Math.round(median(freshMs))} ms`);
  console.log(`startup (goal existing ≤ ${GOAL_EXISTING_MS} ms, fresh ≤ ${GOAL_FRESH_MS} ms): ${summary.join('; ')}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
