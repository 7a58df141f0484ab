// The README and docs/ as a newcomer meets them in a fresh clone: every relative link lands on a file of the
// repository, the "Try it" block runs as written against `npm start`, and the Vite/React example is the file that
// client-package.test.ts type-checks against the packed client.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type AuthgateProcess, freePort, repoRoot, spawnAuthgate, waitUntilHealthy } from '../support/authgate-process';
import { brokenLinks } from '../support/markdown-links';
import { runCommand } from '../support/run-command';
import { startWatchdog } from '../support/watchdog';

const readme = await readFile(join(repoRoot, 'README.md'), 'utf8');

/** The body of the first ```lang block after `heading`. */
function codeBlockAfter(heading: string, lang: string): string {
  const section = readme.indexOf(`\n${heading}\n`);
  expect(section, `README has no "${heading}"`).toBeGreaterThan(-1);
  const block = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(readme.slice(section));
  expect(block, `no \`\`\`${lang} block after "${heading}"`).not.toBeNull();
  return block![1]!;
}

describe('the README and docs', () => {
  it('link only to files the repository has', async () => {
    // Tracked and new files, as a clone of this commit would have them; ignored ones (.data, dist) are not there.
    const { stdout } = await runCommand('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: repoRoot, timeoutMs: 30_000 });
    const files = stdout.split('\0').filter((file) => file && existsSync(join(repoRoot, file)));
    const tracked = new Set(files);
    const markdown = files.filter((file) => file.endsWith('.md'));
    expect(markdown).toEqual(expect.arrayContaining(['README.md', 'docs/API.md', 'docs/SECURITY.md']));
    const tree = {
      has: (path: string) => tracked.has(path) || files.some((file) => file.startsWith(`${path}/`)),
      read: (path: string) => readFileSync(join(repoRoot, path), 'utf8'),
    };
    expect(brokenLinks(tree, markdown)).toEqual([]);
  });

  it('shows, as the Vite/React example, the session module CI type-checks against the packed client', async () => {
    const session = await readFile(join(repoRoot, 'test/consumer/src/session.ts'), 'utf8');
    expect(codeBlockAfter('### Using the client from a Vite/React app', 'ts')).toBe(session);
  });
});

describe('README "Try it"', () => {
  const spawned: AuthgateProcess[] = [];
  const watchdogs: { stop(): Promise<void> }[] = [];
  afterAll(async () => {
    await Promise.all(spawned.map((server) => server.kill()));
    await Promise.all(watchdogs.map((watchdog) => watchdog.stop()));
  });

  it('registers, logs in, verifies the e-mail from the dev mailbox and reads /users/me against npm start', async () => {
    const port = await freePort();
    const dataDir = await mkdtemp(join(tmpdir(), 'authgate-readme-'));
    const server = spawnAuthgate({ PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
    spawned.push(server);
    watchdogs.push(startWatchdog([{ kill: server.pid }], dataDir));
    await waitUntilHealthy(server, 60_000);

    const written = codeBlockAfter('## Try it', 'sh');
    const script = written.replaceAll('localhost:3000', `127.0.0.1:${port}`);
    expect(script).not.toBe(written);
    // Every curl fails on an HTTP error (printing the body), and so does the script: each step must succeed.
    const prelude = 'set -euo pipefail\ncurl() { command curl --fail-with-body "$@"; }\n';
    const { stdout } = await runCommand('bash', ['-c', prelude + script], { cwd: dataDir, timeoutMs: 60_000 });

    const replies = stdout.split(/(?<=\})(?=\{)/);
    expect(replies).toHaveLength(4);
    type Reply = { success: boolean; data: { user?: Record<string, unknown>; emailVerified?: boolean } };
    const [registered, before, verified, after] = replies.map((reply) => JSON.parse(reply) as Reply);
    expect(registered!.data.user).toMatchObject({ email: 'ada@example.com', name: 'Ada', emailVerified: false });
    expect(before!.data.user).toMatchObject({ email: 'ada@example.com', emailVerified: false });
    expect(verified).toEqual({ success: true, data: { emailVerified: true } });
    expect(after!.data.user).toMatchObject({ email: 'ada@example.com', emailVerified: true });
  });
});
