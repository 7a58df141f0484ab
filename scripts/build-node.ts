// `npm run build:node`: bundles the Node entry (src/runtime/node.ts) into dist/node/server.mjs, `npm run
// db:migrate`'s script into dist/node/migrate.mjs and `npm run admin`'s into dist/node/admin.mjs, so production runs
// compiled JavaScript with plain `node` (no TypeScript loader). How: scripts/node-bundle.mjs.
import { rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { bundleNode, repoRoot } from './node-bundle.mjs';

const outDir = join(repoRoot, 'dist/node');
rmSync(outDir, { recursive: true, force: true });
// The operator CLI too, so `node dist/node/admin.mjs <command>` works where the image runs the server.
await bundleNode({ outDir, entries: { server: 'src/runtime/node.ts', migrate: 'scripts/migrate.ts', admin: 'scripts/admin.ts' } });
console.log(`built ${relative(repoRoot, outDir)}/server.mjs, migrate.mjs and admin.mjs`);
