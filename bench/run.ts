// `npm run bench`: the issue-13 benches one after another — Workers bundle, refresh rotations, start-up, key-value
// store scaling — then one table (name, value, goal, ok). A missed goal is a row marked "no", not a failure: the exit
// code is non-zero only when a bench could not run to the end. `npm run bench -- bundle refresh` runs only those.
// Each module exports `run(log)` resolving to BenchRow[]; one that does not exist (yet) is skipped with a line saying so.
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './bench-row';

const BENCHES = [
  { name: 'bundle', file: './bundle.ts' },
  { name: 'refresh', file: './refresh.ts' },
  { name: 'startup', file: './startup.ts' },
  { name: 'kv-scaling', file: './kv-scaling.ts' },
  { name: 'hash-ceiling', file: './hash-ceiling.ts' },
];

interface BenchModule {
  run(log: (line: string) => void): Promise<BenchRow[]>;
}

const format = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(value >= 100 ? 1 : 2));

async function main(): Promise<number> {
  const only = process.argv.slice(2);
  const unknown = only.filter((name) => !BENCHES.some((bench) => bench.name === name));
  if (unknown.length > 0) {
    console.error(`unknown bench ${unknown.join(', ')}; known: ${BENCHES.map((bench) => bench.name).join(', ')}`);
    return 2;
  }
  const log = (line: string) => console.log(`  ${line}`);
  const rows: (BenchRow & { bench: string })[] = [];
  const failed: string[] = [];
  const started = new Date();
  for (const bench of BENCHES.filter(({ name }) => only.length === 0 || only.includes(name))) {
    const path = fileURLToPath(new URL(bench.file, import.meta.url));
    if (!existsSync(path)) {
      console.log(`[${bench.name}] skipped: bench/${bench.file.slice(2)} does not exist yet`);
      continue;
    }
    console.log(`[${bench.name}] running…`);
    const t0 = performance.now();
    try {
      const module = (await import(bench.file)) as BenchModule;
      const produced = await module.run(log);
      rows.push(...produced.map((row) => ({ ...row, bench: bench.name })));
      console.log(`[${bench.name}] done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    } catch (error) {
      failed.push(bench.name);
      console.log(`[${bench.name}] ERROR after ${((performance.now() - t0) / 1000).toFixed(1)} s: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  console.log('');
  console.log(`${started.toISOString().slice(0, 10)}, ${cpus().length} cores, Node ${process.versions.node}, load average ${loadavg().map((v) => v.toFixed(1)).join(' ')}`);
  console.log('');
  console.log('| bench | name | value | goal | ok |');
  console.log('| --- | --- | ---: | --- | --- |');
  for (const row of rows) {
    const unit = row.unit ? ` ${row.unit}` : '';
    const goal = row.goal === '' ? '' : `${row.goal}${unit}`;
    console.log(`| ${row.bench} | ${row.name} | ${format(row.value)}${unit} | ${goal} | ${row.ok ? 'yes' : 'no'} |`);
  }
  for (const name of failed) console.log(`| ${name} | (errored, see above) | | | no |`);
  return failed.length > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
