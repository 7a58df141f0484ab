// `node --import tsx scripts/measure-worker-bundle.ts [--minify]`: bundles the Workers entry exactly as `wrangler deploy`
// would (--dry-run, offline, nothing uploaded) and prints the upload size wrangler reports plus the biggest
// contributors to worker.js by package, from esbuild's metafile. The output goes to a temp dir that is removed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const TOP = 15;
const root = fileURLToPath(new URL('..', import.meta.url));
const minify = process.argv.includes('--minify');

interface Metafile {
  outputs: Record<string, { bytes: number; entryPoint?: string; inputs: Record<string, { bytesInOutput: number }> }>;
}

/** node_modules/<package> (scoped or not), or "src (authgate)" for our own sources. */
function owner(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (match) return match[1]!;
  return input.includes('src/') ? 'src (authgate)' : input;
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

function main(): void {
  const outDir = mkdtempSync(join(tmpdir(), 'authgate-worker-'));
  try {
    const metafile = join(outDir, 'meta.json');
    const args = ['deploy', '--dry-run', '--outdir', join(outDir, 'bundle'), '--metafile', metafile, ...(minify ? ['--minify'] : [])];
    const run = spawnSync(join(root, 'node_modules/.bin/wrangler'), args, {
      cwd: root,
      encoding: 'utf8',
      // Offline: no telemetry, no error reports, no request-metadata fetch.
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_ERROR_REPORTS: 'false' },
    });
    if (run.status !== 0) throw new Error(`wrangler deploy --dry-run failed (${run.status}):\n${run.stdout}${run.stderr}`);
    const reported = /Total Upload: ([^\n]+)/.exec(run.stdout)?.[1]?.trim() ?? 'not reported';

    const meta = JSON.parse(readFileSync(metafile, 'utf8')) as Metafile;
    const worker = Object.values(meta.outputs).find((output) => output.entryPoint);
    if (!worker) throw new Error('the metafile names no entry-point output');
    const byOwner = new Map<string, number>();
    for (const [input, { bytesInOutput }] of Object.entries(worker.inputs)) {
      byOwner.set(owner(input), (byOwner.get(owner(input)) ?? 0) + bytesInOutput);
    }
    const bundleDir = join(outDir, 'bundle');
    const files = readdirSync(bundleDir).filter((name) => !name.endsWith('.map') && name !== 'README.md');

    const lines = [`Workers bundle (${minify ? 'minified' : 'as wrangler deploy builds it, not minified'})`, ''];
    lines.push(`wrangler: Total Upload ${reported}`, '');
    lines.push('| file | size | gzip -9 |', '| --- | ---: | ---: |');
    for (const name of files) {
      const content = readFileSync(join(bundleDir, name));
      lines.push(`| ${name} | ${kib(statSync(join(bundleDir, name)).size)} | ${kib(gzipSync(content, { level: 9 }).length)} |`);
    }
    lines.push('', `| biggest contributors to worker.js (${kib(worker.bytes)}) | bytes in output | share |`, '| --- | ---: | ---: |');
    for (const [name, bytes] of [...byOwner].sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
      lines.push(`| ${name} | ${kib(bytes)} | ${((bytes / worker.bytes) * 100).toFixed(1)} % |`);
    }
    console.log(lines.join('\n'));
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

main();
