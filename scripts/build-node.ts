// `npm run build:node`: bundles the Node entry (src/runtime/node.ts) into dist/node/server.mjs, `npm run
// db:migrate`'s script into dist/node/migrate.mjs and `npm run admin`'s into dist/node/admin.mjs, so production runs compiled JavaScript with plain `node` (no
// TypeScript loader). The packages are bundled as well, except PGlite (its WASM and data files are read from
// node_modules, `npm ci --omit=dev`); each store adapter is its own chunk, loaded only when the settings choose it.
//
// Files the sources find beside themselves with `new URL('<relative>', import.meta.url)` would be looked for next
// to the bundle instead, so each such literal is rewritten: a plain-JavaScript file (the Argon2 worker thread) is
// copied into dist/node/ and pointed at there; a folder (migrations/) is pointed at where it is in the repository.
import { build, type Plugin } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = join(root, 'dist/node');
const RELATIVE_URL = /new URL\((['"])(\.{1,2}\/[^'"]+)\1, import\.meta\.url\)/g;

const relocateFileUrls: Plugin = {
  name: 'relocate-file-urls',
  setup(context) {
    context.onLoad({ filter: /src\/.*\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const contents = source.replace(RELATIVE_URL, (_match, quote: string, path: string) => {
        const target = resolve(dirname(args.path), path);
        if (!existsSync(target)) throw new Error(`${relative(root, args.path)} refers to ${path}, which does not exist`);
        let fromBundle: string;
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

async function buildNode(): Promise<void> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  await build({
    // The operator CLI too, so `node dist/node/admin.mjs <command>` works where the image runs the server.
    entryPoints: { server: join(root, 'src/runtime/node.ts'), migrate: join(root, 'scripts/migrate.ts'), admin: join(root, 'scripts/admin.ts') },
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.6',
    // Packages are bundled too: Node resolves every ESM file it loads to its package scope, about 0.4 ms each, and
    // the ~1,000 files of the dependencies made that a sixth of start-up. External stay PGlite (it loads its WASM and
    // data files from its own folder) and what is only ever optional (pg-native, which pg tries and goes without).
    external: ['@electric-sql/pglite', '@electric-sql/pglite/*', 'pg-native'],
    // CommonJS packages in an ESM bundle call require() for Node's built-ins: give them a real one.
    banner: { js: "import { createRequire as __authgateCreateRequire } from 'node:module'; const require = __authgateCreateRequire(import.meta.url);" },
    // Each dynamic import() its own chunk, so a store adapter that is not chosen (node-redis, node-postgres) is not
    // loaded: without splitting esbuild hoists their packages' imports to the top of server.mjs (~0.5 s of start-up).
    splitting: true,
    // Beside the entries: the file URLs rewritten below are relative to dist/node/.
    chunkNames: '[name]-[hash]',
    sourcemap: true,
    plugins: [relocateFileUrls],
    logLevel: 'warning',
  });
  console.log(`built ${relative(root, outDir)}/server.mjs, migrate.mjs and admin.mjs`);
}

await buildNode();
