// `npm run screenshots`: the README's pictures, taken by the browser tests themselves. Runs the two e2e files that
// draw them (the /demo walk on Node: the MFA QR step; the admin console: the dashboard), which write PNGs into
// test-results/screenshots/ on every run, then copies those into docs/screenshots/ to be committed. Tests never write
// into the repository's tracked files, so `npm test` leaves a clean working tree.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const SHOTS = { 'demo.png': 'test/e2e/demo-walk.node.e2e.test.ts', 'admin-console.png': 'test/e2e/admin.e2e.test.ts' };
const from = join(root, 'test-results/screenshots');
const to = join(root, 'docs/screenshots');
const startedMs = Date.now();

const run = spawnSync(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--project', 'e2e', ...Object.values(SHOTS)], {
  cwd: root,
  stdio: 'inherit',
});
if (run.status !== 0) {
  console.error('screenshots: the browser tests failed; docs/screenshots/ left as it was');
  process.exit(1);
}
mkdirSync(to, { recursive: true });
for (const name of Object.keys(SHOTS)) {
  const source = join(from, name);
  // Only a picture this run drew: a stale one from an earlier run must not be committed as new.
  if (statSync(source).mtimeMs < startedMs) throw new Error(`${source} was not written by this run`);
  copyFileSync(source, join(to, name));
  console.log(`screenshots: docs/screenshots/${name} (${Math.round(statSync(source).size / 1024)} KiB)`);
}
