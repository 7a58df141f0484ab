// `npm run build:client` (also the prepack of packages/client): builds @authgate/client into packages/client/dist.
//   index.js    src/client.ts as an ES module whose only import is `hono/client`: no server code can reach a frontend.
//   index.d.ts  tsc's declarations of src/client.ts (createClient's routes already spelled out in hono's types).
//   app.d.ts    AppType as a plain Hono over the same routes (scripts/client-app-type.ts), so nothing server-side
//               (zod-openapi, ports, config) is needed to type-check a consumer: hono alone.
// Any step that would let something else in fails the build.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { build } from 'esbuild';

const root = resolve(import.meta.dirname, '..');
const packageDir = join(root, 'packages/client');
const dist = join(packageDir, 'dist');

/** Module specifiers a built file may name: hono's own modules, and the sibling app.d.ts. */
const ALLOWED_SPECIFIER = /^(hono(\/[\w-]+)*|\.\/app\.js)$/;

function fail(message: string): never {
  throw new Error(`build:client: ${message}`);
}

function specifiersIn(source: string): string[] {
  const found = [...source.matchAll(/\bfrom\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)];
  return found.map((match) => match[1] ?? match[2]!);
}

function checkSpecifiers(file: string, source: string): void {
  const foreign = specifiersIn(source).filter((specifier) => !ALLOWED_SPECIFIER.test(specifier));
  if (foreign.length > 0) fail(`${file} would need ${[...new Set(foreign)].join(', ')}; a client consumer has only hono`);
}

async function buildJavaScript(): Promise<void> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['src/client.ts'],
    outfile: join(dist, 'index.js'),
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    external: ['hono', 'hono/*'],
    metafile: true,
    logLevel: 'warning',
  });
  // Bundling (not transpiling) is what makes this check meaningful: a value import of server code would be inlined
  // here and show up as an input.
  const inputs = Object.keys(result.metafile.inputs);
  if (inputs.length !== 1 || inputs[0] !== 'src/client.ts') fail(`index.js would contain ${inputs.join(', ')}`);
  const imports = Object.values(result.metafile.outputs).flatMap((output) => output.imports.map((entry) => entry.path));
  checkSpecifiers('index.js', imports.map((path) => `from '${path}'`).join('\n'));
}

function buildDeclarations(): void {
  const out = mkdtempSync(join(tmpdir(), 'authgate-client-types-'));
  try {
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    execFileSync(process.execPath, [tsc, '-p', join(packageDir, 'tsconfig.build.json'), '--outDir', out], { cwd: root, stdio: 'inherit' });
    // nodenext resolution needs the extension on a relative import, in declaration files too.
    const client = readFileSync(join(out, 'src/client.d.ts'), 'utf8');
    const appImport = /from '\.\/app';/g;
    if (client.match(appImport)?.length !== 1) fail('src/client.d.ts no longer imports AppType from ./app exactly once');
    const index = client.replace(appImport, "from './app.js';");
    const app = readFileSync(join(out, 'scripts/client-app-type.d.ts'), 'utf8');
    checkSpecifiers('index.d.ts', index);
    checkSpecifiers('app.d.ts', app);
    writeFileSync(join(dist, 'index.d.ts'), index);
    writeFileSync(join(dist, 'app.d.ts'), app);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
await buildJavaScript();
buildDeclarations();
for (const file of ['index.js', 'index.d.ts', 'app.d.ts']) {
  const path = join(dist, file);
  console.log(`build:client: ${relative(root, path)} (${(readFileSync(path).length / 1024).toFixed(1)} KiB)`);
}
