// Whole authgate processes for one test file: each has a watchdog, so even a killed test run leaves no server and
// no temp dir behind (the watchdogs remove the file's temp dir once their process is gone).
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AuthgateProcess, type SpawnOptions, spawnAuthgate } from './authgate-process';
import { startWatchdog } from './watchdog';

export interface AuthgateFleet {
  /** The file's temp dir: DATA_DIRs go under it. */
  readonly root: string;
  start(settings: Record<string, string>, options?: SpawnOptions): AuthgateProcess;
  /** SIGKILLs whatever still runs and waits for the watchdogs; for afterAll. */
  stopAll(): Promise<void>;
}

export async function createAuthgateFleet(name: string): Promise<AuthgateFleet> {
  const root = await mkdtemp(join(tmpdir(), `authgate-${name}-`));
  const spawned: AuthgateProcess[] = [];
  const watchdogs: { stop: () => Promise<void> }[] = [];
  return {
    root,
    start(settings, options) {
      const server = spawnAuthgate(settings, options);
      spawned.push(server);
      watchdogs.push(startWatchdog([{ kill: server.pid }], root));
      return server;
    },
    async stopAll() {
      await Promise.all(spawned.map((server) => server.kill()));
      await Promise.all(watchdogs.map((watchdog) => watchdog.stop()));
    },
  };
}

/** One JSON request to a running server; the reply's status and parsed body. */
export async function callAuthgate(server: AuthgateProcess, path: string, init: { method?: string; json?: unknown; token?: string } = {}) {
  const headers: Record<string, string> = {};
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const response = await fetch(`${server.baseUrl}${path}`, {
    method: init.method ?? 'GET',
    headers,
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}
