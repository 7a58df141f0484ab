// `npm start`'s bundle (scripts/start.mjs) and `npm install`'s preparation of it (scripts/prepare.mjs): src/ bundled
// with esbuild under node_modules/.cache/authgate/, built again whenever a source, the lockfile or the installed
// packages changed. Plain JavaScript, so this runs on any Node.
import { randomBytes, createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { bundleNode, repoRoot, sourceFiles } from './node-bundle.mjs';

export const ENTRY = 'src/runtime/node.ts';
// Beside the server: what makes the embedded database's template (scripts/prepare.mjs runs it at `npm install`).
const TEMPLATE_ENTRY = 'src/adapters/db/pglite-template.ts';
// AUTHGATE_START_CACHE puts the bundles in another folder (the tests and bench/startup.ts use folders of their own);
// it must be inside node_modules/, where the bundle finds the one package it leaves out (PGlite).
export const CACHE = process.env.AUTHGATE_START_CACHE ? resolve(process.env.AUTHGATE_START_CACHE) : join(repoRoot, 'node_modules/.cache/authgate');
/** Bundles of older sources are removed once they are this old and not among the newest few. */
const KEEP_NEWEST = 4;
/**
 * The packages only the PostgreSQL, Redis and SMTP adapters load (their chunks load only when the settings choose
 * them), left for Node to load from node_modules: they were 2.4 MB of the 5.4 MB esbuild read, and half of every
 * rebuild after a source change (0.95 s against 0.52 s without them). dist/ (scripts/build-node.ts, the image)
 * still bundles them: it is built once, and there a start with PostgreSQL and Redis is the usual one.
 */
const LOADED_WHEN_CHOSEN = ['pg', 'redis', '@redis/*', 'nodemailer'];
const STALE_MS = 24 * 60 * 60 * 1000;

/** Every input of the bundle with its size and modification time; any change makes a new key. */
function inputsKey() {
  const lines = [];
  const add = (path) => {
    const stat = statSync(join(repoRoot, path), { throwIfNoEntry: false });
    lines.push(stat ? `${path}\0${stat.size}\0${stat.mtimeMs}` : `${path}\0-`);
  };
  for (const path of sourceFiles()) add(path);
  // npm rewrites node_modules/.package-lock.json on every install, so a changed package changes the key too.
  for (const file of ['package.json', 'package-lock.json', 'node_modules/.package-lock.json', 'tsconfig.json', 'scripts/node-bundle.mjs', 'scripts/start-bundle.mjs']) add(file);
  lines.sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 20);
}

/** Builds into a private folder and renames it into place: a concurrent start either wins the rename or reuses the winner's. */
async function build(dir) {
  const started = performance.now();
  console.log('authgate: building the server from src/ (no bundle of these sources yet)');
  const scratch = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await bundleNode({ outDir: scratch, entries: { server: ENTRY, 'pglite-template': TEMPLATE_ENTRY }, external: LOADED_WHEN_CHOSEN });
    try {
      renameSync(scratch, dir);
    } catch (error) {
      if (!existsSync(join(dir, 'server.mjs'))) throw error;
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  console.log(`authgate: built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * Best effort: removes old bundles and old templates of the embedded database (src/adapters/db/pglite-template.ts,
 * whose folder is touched whenever a new DATA_DIR is copied from it), and scratch folders of either that never
 * finished; never the newest few of each kind.
 */
function prune(current) {
  try {
    const now = Date.now();
    const names = readdirSync(CACHE).filter((name) => name !== current);
    for (const kind of ['start-', 'pglite-template-']) {
      const entries = names
        .filter((name) => name.startsWith(kind))
        .map((name) => ({ name, mtimeMs: statSync(join(CACHE, name)).mtimeMs }))
        .sort((a, b) => b.mtimeMs - a.mtimeMs);
      for (const [index, entry] of entries.entries()) {
        const old = now - entry.mtimeMs > STALE_MS;
        if (old && (index >= KEEP_NEWEST || entry.name.includes('.tmp-'))) rmSync(join(CACHE, entry.name), { recursive: true, force: true });
      }
    }
  } catch {
    // Nothing to prune, or not ours to prune.
  }
}

/**
 * The cached bundle's server.mjs, built first if needed; undefined where no bundle can be built here (after one line
 * saying why and what runs instead: `fallback`). Sources that do not compile end the process after esbuild's report
 * (`npm start`), unless `exitOnCompileError` is false (`npm install`'s prepare script: undefined, after that report).
 * @param {{ fallback?: string, exitOnCompileError?: boolean }} [options]
 */
export async function bundledServer({ fallback = 'running the sources through tsx', exitOnCompileError = true } = {}) {
  const name = `start-${inputsKey()}`;
  const dir = join(CACHE, name);
  const server = join(dir, 'server.mjs');
  try {
    if (existsSync(server)) {
      const now = new Date();
      utimesSync(dir, now, now);
    } else {
      mkdirSync(CACHE, { recursive: true });
      await build(dir);
      prune(name);
    }
    return server;
  } catch (error) {
    // esbuild reports what it could not compile itself; stop there rather than compile the same sources again.
    if (Array.isArray(error?.errors) && error.errors.length > 0) {
      if (exitOnCompileError) process.exit(1);
      return undefined;
    }
    const reason = error?.code === 'ERR_MODULE_NOT_FOUND' ? 'esbuild is not installed' : (error?.message ?? String(error));
    const where = CACHE.startsWith(repoRoot) ? relative(repoRoot, CACHE) : CACHE;
    console.error(`authgate: no bundle under ${where} (${reason}); ${fallback}`);
    return undefined;
  }
}
