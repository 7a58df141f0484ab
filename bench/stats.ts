// Latency summaries for the benchmarks: nearest-rank percentiles over milliseconds.

export interface Summary {
  count: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

export function percentile(sortedMs: readonly number[], fraction: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  const rank = Math.ceil(fraction * sortedMs.length);
  return sortedMs[Math.min(sortedMs.length, Math.max(1, rank)) - 1]!;
}

export function summarize(samplesMs: readonly number[]): Summary {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return { count: sorted.length, p50Ms: percentile(sorted, 0.5), p95Ms: percentile(sorted, 0.95), maxMs: sorted.at(-1) ?? Number.NaN };
}

/** Runs `task` `total` times with at most `concurrency` running at once; returns each run's duration in ms. */
export async function runConcurrently(total: number, concurrency: number, task: () => Promise<void>): Promise<{ samplesMs: number[]; wallMs: number }> {
  const samplesMs: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      next++;
      const t0 = performance.now();
      await task();
      samplesMs.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return { samplesMs, wallMs: performance.now() - started };
}

export const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(1));
