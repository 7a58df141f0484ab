// The embedded key-value store's persisted `set` (a denylist entry, as every logout writes) at 0, 1k, 5k and 10k live
// entries: the goal of issue 13 is that the 10,000th logout costs the same as the first (±25 %).
//
//   node --import tsx bench/kv-scaling.ts
//
// One store per level in its own temp dir, filled up front (concurrently, so the fill itself is quick), then measured
// in interleaved rounds (level after level, the order reversed every other round) so a change of machine load affects
// every level alike. Each measured set is awaited before the next starts: the figure is the latency of one lone write,
// fsync included. The ratio is taken per round (p50 at 10k ÷ p50 at 0, measured seconds apart) and its median over the
// rounds is the result: on a disk shared with other work, that is steadier than one ratio of whole-run medians.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createEmbeddedStore } from '../src/adapters/kv/embedded';
import type { KeyValueStore } from '../src/core/ports';

import type { BenchRow } from './bench-row';

const LEVELS = [0, 1_000, 5_000, 10_000];
const ROUNDS = 12;
const SETS_PER_ROUND = 20;
const FILL_CONCURRENCY = 500;
const DENYLIST_TTL_SECONDS = 900;
const clock = { nowMs: () => Date.now() };

interface LevelResult {
  live: number;
  samplesMs: number[];
  /** The p50 of each round. */
  roundP50Ms: number[];
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
    const results: LevelResult[] = LEVELS.map((live) => ({ live, samplesMs: [], roundP50Ms: [] }));
    for (let round = 0; round < ROUNDS; round += 1) {
      const order = [...stores.keys()];
      if (round % 2 === 1) order.reverse();
      for (const index of order) {
        const samples: number[] = [];
        for (let i = 0; i < SETS_PER_ROUND; i += 1) {
          const started = performance.now();
          await stores[index]!.set(denyKey(), '1', DENYLIST_TTL_SECONDS);
          samples.push(performance.now() - started);
        }
        results[index]!.samplesMs.push(...samples);
        results[index]!.roundP50Ms.push(median(samples));
      }
    }
    return results;
  } finally {
    await Promise.allSettled(stores.map((store) => store.close()));
    await rm(root, { recursive: true, force: true });
  }
}

/** The median over the rounds of (p50 at `level` ÷ p50 at 0). */
function ratioTo(results: LevelResult[], level: LevelResult): number {
  return median(level.roundP50Ms.map((p50, round) => p50 / results[0]!.roundP50Ms[round]!));
}

export async function run(): Promise<BenchRow[]> {
  const results = await measure();
  const ratio = Math.round(ratioTo(results, results.at(-1)!) * 100) / 100;
  return [{ name: 'kv-scaling: persisted set at 10k live entries ÷ at 0 (embedded store)', value: ratio, unit: '×', goal: '≤ 1.25', ok: ratio <= 1.25 }];
}

async function main(): Promise<void> {
  const results = await measure();
  console.log('| live entries | sets | p50 (ms) | p95 (ms) | max (ms) | p50 ÷ p50 at 0 (median of the rounds) |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const level of results) {
    const sorted = [...level.samplesMs].sort((a, b) => a - b);
    const cells = [percentile(sorted, 50), percentile(sorted, 95), sorted.at(-1)!].map((ms) => ms.toFixed(2));
    console.log(`| ${level.live} | ${sorted.length} | ${cells.join(' | ')} | ${ratioTo(results, level).toFixed(2)} |`);
  }
  const ratio = ratioTo(results, results.at(-1)!);
  console.log(`kv-scaling: the persisted set at 10k live entries costs ${ratio.toFixed(2)}× the one at 0 (goal ≤ 1.25×): ${ratio <= 1.25 ? 'ok' : 'MISSED'}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
