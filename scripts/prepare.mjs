// `npm install` / `npm ci` (package.json's prepare script): makes what the first `npm start` would otherwise make on
// its way up, so a newcomer's first start takes as long as any other. That is the server's bundle
// (scripts/start-bundle.mjs) and the embedded database's template (src/adapters/db/pglite-template.ts), from which
// every new DATA_DIR is copied instead of created. Both are cached under node_modules/.cache/authgate/ and made again
// only when their inputs change. Nothing here may fail an install: whatever cannot be made is made by `npm start`
// later, after one line saying so. AUTHGATE_SKIP_PREPARE=1 skips it (an install that only deploys to Workers).
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundledServer } from './start-bundle.mjs';

async function prepare() {
  if (process.env.AUTHGATE_SKIP_PREPARE === '1') return;
  // Sources that do not compile (an install in the middle of an edit) are reported by esbuild and left to `npm start`.
  const server = await bundledServer({ fallback: '`npm start` will run the sources through tsx', exitOnCompileError: false });
  if (!server) return;
  const started = performance.now();
  const { ensureTemplate, templateRootOf } = await import(pathToFileURL(join(dirname(server), 'pglite-template.mjs')).href);
  const root = templateRootOf(process.env);
  if (!root) return;
  let made = false;
  await ensureTemplate(root, () => {
    made = true;
    console.log("authgate: making the embedded database's template (new DATA_DIRs are copied from it)");
  });
  if (made) console.log(`authgate: template made in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

try {
  await prepare();
} catch (error) {
  console.error(`authgate: could not prepare the first start (${error?.message ?? String(error)}); \`npm start\` will do it`);
}
