// A second `npm start` beside a running one: on the same DATA_DIR, or on the same PORT. Each must stop with one line
// and exit 1 before it opens anything, so the running server's database files stay untouched and it keeps serving.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { callAuthgate as call, createAuthgateFleet } from '../support/authgate-fleet';
import { type AuthgateProcess, freePort, waitUntilHealthy } from '../support/authgate-process';

const HEALTHY_WITHIN_MS = 60_000;
// A first PGlite start, then three more processes that each load the TypeScript entry: slow beside other suites.
const WHOLE_STORY_MS = 180_000;
const EMAIL = 'mary.jackson@example.com';
const PASSWORD = 'violet-harbour-lantern-42';
const cheap = { HOST: '127.0.0.1', LOG_LEVEL: 'warn', ARGON2_MEMORY_KIB: '64', ARGON2_ITERATIONS: '1' };

const fleet = await createAuthgateFleet('node-one-server');
afterAll(() => fleet.stopAll());

/** SHA-256 of every file under `dir`, by relative path. */
async function fingerprint(dir: string): Promise<Record<string, string>> {
  const sums: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    sums[path.slice(dir.length)] = createHash('sha256').update(await readFile(path)).digest('hex');
  }
  return sums;
}

/** Waits for a process that must fail at start; returns its one stderr line. */
async function refused(server: AuthgateProcess): Promise<string> {
  expect(await server.exited).toEqual({ code: 1, signal: null });
  const lines = server.stderr().trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).not.toMatch(/\bat .*:\d+:\d+/);
  return lines[0]!;
}

describe('one server per DATA_DIR and per PORT', () => {
  const dataDir = join(fleet.root, 'data');
  let first: AuthgateProcess;
  let port: number;

  it('a second server on the same DATA_DIR, or on the same PORT, exits 1 with one line and leaves the first untouched', async () => {
    port = await freePort();
    first = fleet.start({ ...cheap, DATA_DIR: dataDir, PORT: String(port) });
    await waitUntilHealthy(first, HEALTHY_WITHIN_MS);
    expect((await call(first, '/api/v1/auth/register', { method: 'POST', json: { email: EMAIL, password: PASSWORD } })).status).toBe(201);
    const before = await fingerprint(join(dataDir, 'pglite'));
    expect(Object.keys(before).length).toBeGreaterThan(0);

    const sameDataDir = fleet.start({ ...cheap, DATA_DIR: dataDir, PORT: String(await freePort()) });
    expect(await refused(sameDataDir)).toBe(
      `authgate: setting DATA_DIR: ${dataDir} is in use by another authgate (pid ${first.pid}); stop that one or give this one its own DATA_DIR`,
    );
    const samePort = fleet.start({ ...cheap, DATA_DIR: join(fleet.root, 'other'), PORT: String(port) });
    expect(await refused(samePort)).toBe(`authgate: setting PORT: 127.0.0.1:${port} is already in use (another authgate?); stop that or choose another PORT`);
    // The newcomer's case: `npm start` twice, same DATA_DIR and same PORT. The DATA_DIR is checked first.
    const twice = fleet.start({ ...cheap, DATA_DIR: dataDir, PORT: String(port) });
    expect(await refused(twice)).toContain(`is in use by another authgate (pid ${first.pid})`);

    expect(await fingerprint(join(dataDir, 'pglite'))).toEqual(before);
    expect((await call(first, '/health')).status).toBe(200);
    expect((await call(first, '/api/v1/auth/login', { method: 'POST', json: { email: EMAIL, password: PASSWORD } })).status).toBe(200);
  }, WHOLE_STORY_MS);

  it('removes its lock when it stops', async () => {
    expect(existsSync(join(dataDir, '.lock'))).toBe(true);
    first.signal('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(existsSync(join(dataDir, '.lock'))).toBe(false);
  });

  it('takes over a lock left by a server that is gone (killed, or the machine restarted)', async () => {
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => gone.once('exit', resolve));
    await writeFile(join(dataDir, '.lock'), `${gone.pid}\n`);
    const next = fleet.start({ ...cheap, DATA_DIR: dataDir, PORT: String(port) });
    await waitUntilHealthy(next, HEALTHY_WITHIN_MS);
    expect((await readFile(join(dataDir, '.lock'), 'utf8')).trim()).toBe(String(next.pid));
    expect((await call(next, '/api/v1/auth/login', { method: 'POST', json: { email: EMAIL, password: PASSWORD } })).status).toBe(200);
    next.signal('SIGTERM');
    expect(await next.exited).toEqual({ code: 0, signal: null });
  }, 2 * HEALTHY_WITHIN_MS);
});
