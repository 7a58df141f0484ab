import { fileURLToPath } from 'node:url';
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

const fromRoot = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Projects whose suites talk to the real PostgreSQL and Redis (and the Neon / Upstash bridges in front of them).
// The globalSetup starts them once for all such projects; the setup file fails every suite when they are absent.
const withServers = {
  globalSetup: ['test/support/global-setup.ts'],
  setupFiles: ['test/support/require-services.ts'],
};

export default defineConfig({
  test: {
    // The machines (developers' and CI's) have 2 cores; more workers only thrash.
    maxWorkers: 2,
    testTimeout: 15_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    // Isolation per file is deliberate (suites must not lean on each other's state); keep vitest's hints about it quiet.
    experimental: { diagnostics: false },
    projects: [
      {
        test: { name: 'unit', environment: 'node', include: ['test/unit/**/*.test.ts'] },
      },
      {
        test: {
          name: 'integration',
          environment: 'node',
          include: ['test/integration/**/*.test.ts'],
          ...withServers,
          testTimeout: 60_000,
        },
      },
      {
        resolve: { alias: { '#harness': fromRoot('./test/support/harness-node.ts') } },
        test: { name: 'http-node', environment: 'node', include: ['test/http/**/*.test.ts'], ...withServers },
      },
      {
        // Headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core) against the real Node server.
        // A page shows its result once the server has answered every request of its flow (an Argon2id hash among
        // them); with the other projects' tests sharing the two cores that took more than expect.poll's default 1 s
        // in a CI run, so the pages get 15 s to show it (a wait bound, not a timing claim).
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          ...withServers,
          testTimeout: 60_000,
          expect: { poll: { timeout: 15_000 } },
        },
      },
      {
        // Runs the files inside workerd (Miniflare), configured from wrangler.toml: same compatibility date and
        // flags as production. `.wasm` imports become WebAssembly.Module through the plugin's default module rules.
        plugins: [cloudflareTest({ wrangler: { configPath: './wrangler.toml' } })],
        // `zod` as the Workers bundle has it (wrangler.toml [alias]): without its locales.
        resolve: {
          alias: [
            { find: '#harness', replacement: fromRoot('./test/support/harness-workerd.ts') },
            { find: /^zod$/, replacement: fromRoot('./src/runtime/workers-zod/index.ts') },
          ],
        },
        test: {
          name: 'http-workerd',
          include: ['test/http/**/*.test.ts', 'test/workerd/**/*.test.ts'],
          ...withServers,
        },
      },
    ],
  },
});
