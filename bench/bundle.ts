// `node --import tsx bench/bundle.ts`: the Workers upload, minified, against the 250 KiB gzip goal (issue 13).
//
// Bundles the Workers entry exactly as `wrangler deploy` does (--dry-run, offline: no upload, no telemetry) into a
// temp dir that is removed afterwards, and reports wrangler's own "Total Upload" figures — worker.js plus the two
// static WebAssembly modules (hash-wasm's argon2 and blake2b), which count toward the upload — and the biggest
// contributors to worker.js by package, from esbuild's metafile.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { BenchRow } from './bench-row';

const GOAL_GZIP_KIB = 250;
const root = fileURLToPath(new URL('..', import.meta.url));

interface Metafile {
  outputs: Record<string, { bytes: number; entryPoint?: string; inputs: Record<string, { bytesInOutput: number }> }>;
}

export interface BundleMeasurement {
  /** wrangler's "Total Upload" and its gzip, in KiB (every uploaded module). */
  totalKiB: number;
  gzipKiB: number;
  files: { name: string; bytes: number; gzipBytes: number }[];
  workerBytes: number;
  /** Bytes of worker.js by owner: a node_modules package, or "src (authgate)". */
  packages: { name: string; bytes: number }[];
}

/** node_modules/<package> (scoped or not), or "src (authgate)" for our own sources. */
function owner(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (match) return match[1]!;
  return input.includes('src/') ? 'src (authgate)' : input;
}

export function measureBundle(): BundleMeasurement {
  const outDir = mkdtempSync(join(tmpdir(), 'authgate-worker-'));
  try {
    const metafile = join(outDir, 'meta.json');
    const bundleDir = join(outDir, 'bundle');
    const run = spawnSync(join(root, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--minify', '--outdir', bundleDir, '--metafile', metafile], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_ERROR_REPORTS: 'false' },
    });
    if (run.status !== 0) throw new Error(`wrangler deploy --dry-run failed (${run.status}):\n${run.stdout}${run.stderr}`);
    const reported = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(run.stdout);
    if (!reported) throw new Error(`wrangler printed no "Total Upload: … KiB / gzip: … KiB" line:\n${run.stdout}`);

    const meta = JSON.parse(readFileSync(metafile, 'utf8')) as Metafile;
    const worker = Object.values(meta.outputs).find((output) => output.entryPoint);
    if (!worker) throw new Error('the metafile names no entry-point output');
    const byOwner = new Map<string, number>();
    for (const [input, { bytesInOutput }] of Object.entries(worker.inputs)) byOwner.set(owner(input), (byOwner.get(owner(input)) ?? 0) + bytesInOutput);

    const files = readdirSync(bundleDir)
      .filter((name) => !name.endsWith('.map') && name !== 'README.md')
      .map((name) => {
        const content = readFileSync(join(bundleDir, name));
        return { name, bytes: content.length, gzipBytes: gzipSync(content, { level: 9 }).length };
      });
    return {
      totalKiB: Number(reported[1]),
      gzipKiB: Number(reported[2]),
      files,
      workerBytes: worker.bytes,
      packages: [...byOwner].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes),
    };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchRow[]> {
  const measured = measureBundle();
  return [
    { name: 'Workers upload, minified', value: measured.totalKiB, unit: 'KiB', goal: '', ok: true },
    { name: 'Workers upload, minified, gzip', value: measured.gzipKiB, unit: 'KiB', goal: `≤ ${GOAL_GZIP_KIB}`, ok: measured.gzipKiB <= GOAL_GZIP_KIB },
  ];
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

function main(): void {
  const top = Number(process.argv[2] ?? 25);
  const measured = measureBundle();
  const lines = [`Workers upload (wrangler deploy --dry-run --minify): ${measured.totalKiB} KiB, gzip ${measured.gzipKiB} KiB (goal ≤ ${GOAL_GZIP_KIB} KiB gzip: ${measured.gzipKiB <= GOAL_GZIP_KIB ? 'met' : 'NOT met'})`, ''];
  lines.push('| file | size | gzip -9 |', '| --- | ---: | ---: |');
  for (const file of measured.files) lines.push(`| ${file.name} | ${kib(file.bytes)} | ${kib(file.gzipBytes)} |`);
  lines.push('', `| biggest contributors to worker.js (${kib(measured.workerBytes)}) | bytes in output | share |`, '| --- | ---: | ---: |');
  for (const { name, bytes } of measured.packages.slice(0, top)) lines.push(`| ${name} | ${kib(bytes)} | ${((bytes / measured.workerBytes) * 100).toFixed(1)} % |`);
  console.log(lines.join('\n'));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
