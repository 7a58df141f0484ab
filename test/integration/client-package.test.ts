// @authgate/client the way another repository gets it: `npm pack` (whose prepack builds it) → `npm install` of the
// tarball into a copy of test/consumer (a frontend with only hono and typescript) → tsc under nodenext and bundler
// resolution → an esbuild browser bundle. Any failing step fails the test.
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/authgate-process';
import { runCommand } from '../support/run-command';

const packageDir = join(repoRoot, 'packages/client');
const work = await mkdtemp(join(tmpdir(), 'authgate-consumer-'));
const consumer = join(work, 'consumer');
let tarball: string;

beforeAll(async () => {
  const { name, version } = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as { name: string; version: string };
  await runCommand('npm', ['pack', '--pack-destination', work], { cwd: packageDir, timeoutMs: 120_000 });
  tarball = join(work, `${name.replace('@', '').replace('/', '-')}-${version}.tgz`);
  await cp(join(repoRoot, 'test/consumer'), consumer, { recursive: true });
  // The registry is reachable, but what the repository's own install already fetched comes from npm's cache.
  await runCommand('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: consumer, timeoutMs: 180_000 });
}, 300_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('the @authgate/client package', () => {
  it('packs the built client alone: index.js, its declarations, package.json and README', async () => {
    const { stdout } = await runCommand('tar', ['-tzf', tarball], { cwd: work, timeoutMs: 10_000 });
    expect(stdout.trim().split('\n').sort()).toEqual([
      'package/README.md',
      'package/dist/app.d.ts',
      'package/dist/index.d.ts',
      'package/dist/index.js',
      'package/package.json',
    ]);
  });

  it('installs into a frontend without pulling in any server package', async () => {
    const lock = JSON.parse(await readFile(join(consumer, 'node_modules/.package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
    const installed = Object.keys(lock.packages).map((path) => path.replace(/^.*node_modules\//, ''));
    expect(installed).toContain('@authgate/client');
    expect(installed).toContain('hono');
    // typescript arrives as the consumer's own dev dependency, with its one native build for this platform.
    expect(installed.filter((name) => !/^(@authgate\/client|hono|typescript|@typescript\/typescript-[\w-]+)$/.test(name))).toEqual([]);
  });

  it.each(['tsconfig.nodenext.json', 'tsconfig.bundler.json'])(
    'type-checks a consumer under %s, with wrong bodies and routes as type errors',
    async (config) => {
      const tsc = join(consumer, 'node_modules/typescript/bin/tsc');
      await runCommand(process.execPath, [tsc, '-p', config], { cwd: consumer, timeoutMs: 120_000 });
    },
  );

  it('bundles for the browser with nothing but hono and the client in it', async () => {
    const result = await build({
      absWorkingDir: consumer,
      entryPoints: ['src/auth.ts', 'src/session.ts'],
      outdir: 'bundle',
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain('node_modules/@authgate/client/dist/index.js');
    expect(inputs.filter((path) => !/^(src\/(auth|session)\.ts|node_modules\/(hono|@authgate\/client)\/)/.test(path))).toEqual([]);
  });
});
