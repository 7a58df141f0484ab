// `npm start`: runs the server (src/runtime/node.ts) from a bundle of the sources, built with esbuild the first time
// and again whenever a source, the lockfile or the installed packages changed, and kept under
// node_modules/.cache/authgate/. A start from a built bundle skips loading ~750 files through a TypeScript loader:
// 0.8-0.9 s to the first answer on an existing DATA_DIR instead of 2-2.5 s (bench/README.md, "Start-up time").
// Where the bundle cannot be built (esbuild not installed, node_modules read-only) the sources run through tsx, as
// before, after one line saying so. Plain JavaScript, so this runs on any Node; the bundle's first import stops an
// unsupported one with one line.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundledServer, ENTRY } from './start-bundle.mjs';
import { repoRoot } from './node-bundle.mjs';

const server = await bundledServer();
if (server) {
  await import(pathToFileURL(server).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(repoRoot, ENTRY)).href);
}
