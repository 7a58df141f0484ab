// The Node bundle, shared by `npm run build:node` (scripts/build-node.ts: dist/node/, what the image runs) and
// `npm start` (scripts/start.mjs: a cached bundle of the sources). Plain JavaScript, so `npm start` needs no
// TypeScript loader to get here.
//
// The packages are bundled as well, except PGlite (its WASM and data files are read from node_modules); each store
// adapter is its own chunk, loaded only when the settings choose it. Files the sources find beside themselves with
// `new URL('<relative>', import.meta.url)` would be looked for next to the bundle instead, so each such literal is
// rewritten: a plain-JavaScript file (the Argon2 worker thread) is copied into the output folder and pointed at
// there; a folder (migrations/) is pointed at where it is in the repository.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const RELATIVE_URL = /new URL\((['"])(\.{1,2}\/[^'"]+)\1, import\.meta\.url\)/g;

/** Every file under src/, as a path relative to the repository (`src/...`). */
export function sourceFiles() {
  const found = [];
  const walk = (dir) => {
    for (const entry of readdirSync(join(repoRoot, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else found.push(path);
    }
  };
  walk('src');
  return found;
}

/** The sources under src/ that mention import.meta.url (3 of 213), as absolute paths. */
function sourcesUsingFileUrls() {
  return sourceFiles()
    .filter((path) => path.endsWith('.ts') && readFileSync(join(repoRoot, path), 'utf8').includes('import.meta.url'))
    .map((path) => join(repoRoot, path));
}

/** @param {string} outDir */
function relocateFileUrls(outDir) {
  // Only those files go through this plugin: an onLoad callback is a round trip between esbuild and Node, and one for
  // each source made every build about 0.15 s longer (1.03-1.36 s against 0.95-1.04 s, four alternating builds).
  const paths = sourcesUsingFileUrls();
  const filter = new RegExp(`^(${paths.map((path) => path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})$`);
  /** @type {import('esbuild').Plugin} */
  const plugin = {
    name: 'relocate-file-urls',
    setup(context) {
      if (paths.length === 0) return;
      context.onLoad({ filter }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        const contents = source.replace(RELATIVE_URL, (_match, quote, path) => {
          const target = resolve(dirname(args.path), path);
          if (!existsSync(target)) throw new Error(`${relative(repoRoot, args.path)} refers to ${path}, which does not exist`);
          let fromBundle;
          if (statSync(target).isDirectory()) {
            fromBundle = relative(outDir, target);
          } else {
            copyFileSync(target, join(outDir, basename(target)));
            fromBundle = basename(target);
          }
          const rewritten = fromBundle.startsWith('.') ? fromBundle : `./${fromBundle}`;
          return `new URL(${quote}${rewritten}${quote}, import.meta.url)`;
        });
        return { contents, loader: 'ts' };
      });
    },
  };
  return plugin;
}

/**
 * Bundles `entries` (output name → source path relative to the repository) into `outDir` as `<name>.mjs`; the
 * packages in `external` are left for Node to load from node_modules. esbuild is imported here, not at the top, so
 * `npm start` without it (`npm ci --omit=dev`) gets as far as its tsx fallback.
 * @param {{ outDir: string, entries: Record<string, string>, external?: string[] }} options
 */
export async function bundleNode({ outDir, entries, external = [] }) {
  const { build } = await import('esbuild');
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: Object.fromEntries(Object.entries(entries).map(([name, path]) => [name, join(repoRoot, path)])),
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.6',
    // Packages are bundled too: Node resolves every ESM file it loads to its package scope, about 0.4 ms each, and
    // the ~1,000 files of the dependencies made that a sixth of start-up. External stay PGlite (it loads its WASM and
    // data files from its own folder) and what is only ever optional (pg-native, which pg tries and goes without).
    external: ['@electric-sql/pglite', '@electric-sql/pglite/*', 'pg-native', ...external],
    // CommonJS packages in an ESM bundle call require() for Node's built-ins: give them a real one.
    banner: { js: "import { createRequire as __authgateCreateRequire } from 'node:module'; const require = __authgateCreateRequire(import.meta.url);" },
    // Each dynamic import() its own chunk, so a store adapter that is not chosen (node-redis, node-postgres) is not
    // loaded: without splitting esbuild hoists their packages' imports to the top of server.mjs (~0.5 s of start-up).
    splitting: true,
    // Beside the entries: the file URLs rewritten above are relative to the output folder.
    chunkNames: '[name]-[hash]',
    sourcemap: true,
    plugins: [relocateFileUrls(outDir)],
    logLevel: 'warning',
  });
}
