// The embedded key-value store's persisted `set` (a denylist entry, as every logout writes) at 0, 1k, 5k and 10k live
// entries: the goal of issue 13 is that the 10,000th logout costs the same as the first (±25 %).
//
//   node --import tsx bench/kv-scaling.ts
//
// One store per level in its own temp dir, filled up front (concurrently, so the fill itself is quick), then measured
// in interleaved rounds (level after level, round after round) so a change of machine load affects every level alike.
// Each measured set is awaited before the next starts: the figure is the latency of one lone write, fsync included.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createEmbeddedStore } from '../src/adapters/kv/embedded';
import type { KeyValueStore } from '../src/core/ports';

export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  goal: string;
  ok: boolean;
}

const LEVELS = [0, 1_000, 5_000, 10_000];
const ROUNDS = 6;
const SETS_PER_ROUND = 40;
const FILL_CONCURRENCY = 500;
const DENYLIST_TTL_SECONDS = 900;
const clock = { nowMs: () => Date.now() };

interface LevelResult {
  live: number;
  samplesMs: number[];
}

const denyKey = () => `deny:jti:${randomUUID()}`;

async function fill(store: KeyValueStore, count: number): Promise<void> {
  for (let done = 0; done < count; done += FILL_CONCURRENCY) {
    const batch = Math.min(FILL_CONCURRENCY, count - done);
    await Promise.all(Array.from({ length: batch }, () => store.set(denyKey(), '1', DENYLIST_TTL_SECONDS)));
  }
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);

export async function measure(): Promise<LevelResult[]> {
  const root = await mkdtemp(join(tmpdir(), 'authgate-kv-bench-'));
  const stores: KeyValueStore[] = [];
  try {
    for (const [index, live] of LEVELS.entries()) {
      const store = await createEmbeddedStore({ file: join(root, String(index), 'kv.json'), clock });
      stores.push(store);
      await fill(store, live);
    }
    const results: LevelResult[] = LEVELS.map((live) => ({ live, samplesMs: [] }));
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const [index, store] of stores.entries()) {
        for (let i = 0; i < SETS_PER_ROUND; i += 1) {
          const started = performance.now();
          await store.set(denyKey(), '1', DENYLIST_TTL_SECONDS);
          results[index]!.samplesMs.push(performance.now() - started);
        }
      }
    }
    return results;
  } finally {
    await Promise.allSettled(stores.map((store) => store.close()));
    await rm(root, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchRow[]> {
  const results = await measure();
  const first = median(results[0]!.samplesMs);
  const last = median(results.at(-1)!.samplesMs);
  const ratio = Math.round((last / first) * 100) / 100;
  return [{ name: 'kv-scaling: persisted set at 10k live entries ÷ at 0 (embedded store)', value: ratio, unit: '×', goal: '≤ 1.25', ok: ratio <= 1.25 }];
}

async function main(): Promise<void> {
  const results = await measure();
  const base = median(results[0]!.samplesMs);
  console.log('| live entries | sets | p50 (ms) | p95 (ms) | max (ms) | p50 ÷ p50 at 0 |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const { live, samplesMs } of results) {
    const sorted = [...samplesMs].sort((a, b) => a - b);
    const cells = [percentile(sorted, 50), percentile(sorted, 95), sorted.at(-1)!].map((ms) => ms.toFixed(2));
    console.log(`| ${live} | ${sorted.length} | ${cells.join(' | ')} | ${(percentile(sorted, 50) / base).toFixed(2)} |`);
  }
  const ratio = median(results.at(-1)!.samplesMs) / base;
  console.log(`kv-scaling: the persisted set at 10k live entries costs ${ratio.toFixed(2)}× the one at 0 (goal ≤ 1.25×): ${ratio <= 1.25 ? 'ok' : 'MISSED'}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
