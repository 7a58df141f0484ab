// The real Node entry as `npm start` runs it, in a child process: used by the benchmark and by the integration tests
// that need a whole process (start-up lines, signals, exit codes, restarts on one DATA_DIR).
// The child is only ever signalled by the pid it was spawned with.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Cheap Argon2id and quiet logs for a test server or CLI run; everything else as the operator would set it. */
export const QUICK_TEST_SETTINGS = { ARGON2_MEMORY_KIB: '64', ARGON2_ITERATIONS: '1', LOG_LEVEL: 'warn' };

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface AuthgateProcess {
  readonly pid: number;
  readonly baseUrl: string;
  /** Everything the process printed so far. */
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<ExitStatus>;
  running(): boolean;
  /** Resolves once stdout matches; rejects when the process exits first or after timeoutMs. */
  waitForStdout(pattern: RegExp, timeoutMs: number): Promise<void>;
  signal(signal: NodeJS.Signals): void;
  /** SIGKILL when still running; resolves once it has exited. Safe to call at any time, any number of times. */
  kill(): Promise<void>;
}

/** A loopback port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The arguments of `npm start` (package.json's start script, `node ARGS`), so tests run what a newcomer runs. */
export function npmStartArgs(): string[] {
  const { scripts } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } };
  const [program, ...args] = scripts.start.trim().split(/\s+/);
  if (program !== 'node') throw new Error(`npm start no longer runs node directly: ${scripts.start}`);
  return args;
}

export interface SpawnOptions {
  /** Another Node binary than this process's. */
  node?: string;
  /** Node's arguments instead of `npm start`'s, e.g. the compiled bundle (`dist/node/server.mjs`). */
  args?: string[];
}

/**
 * Spawns `npm start`'s command (`node --enable-source-maps scripts/start.mjs`: the server from a cached bundle of src/) from the repository
 * root, with this process's Node unless `options.node` names another binary. The environment holds only PATH, HOME
 * and TMPDIR besides `settings`, so no setting leaks in from the caller.
 */
export function spawnAuthgate(settings: Record<string, string>, options: SpawnOptions = {}): AuthgateProcess {
  return spawnNode(options.args ?? npmStartArgs(), settings, options);
}

/** Any of the repository's TypeScript entries (`npm run dev:bridges` too), run as package.json's scripts run them. */
export function spawnScript(script: string, settings: Record<string, string>): AuthgateProcess {
  return spawnNode(['--enable-source-maps', '--import', 'tsx', script], settings, {});
}

/** `node ARGS` from the repository root with only `settings` (and PATH, HOME, TMPDIR) in its environment. */
export function spawnNode(args: string[], settings: Record<string, string>, options: { node?: string } = {}): AuthgateProcess {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR']) if (process.env[name]) env[name] = process.env[name]!;
  const child: ChildProcess = spawn(options.node ?? process.execPath, args, {
    cwd: repoRoot,
    env: { ...env, ...settings },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`${args.at(-1)} did not spawn`);
  const pid = child.pid;
  let out = '';
  let err = '';
  const watchers = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    for (const check of watchers) check();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  let status: ExitStatus | undefined;
  // 'close' (not 'exit'): by then both pipes are drained, so stdout() and stderr() are complete.
  const exited = new Promise<ExitStatus>((resolve) =>
    child.once('close', (code, signal) => {
      status = { code, signal };
      for (const check of watchers) check();
      resolve(status);
    }),
  );

  return {
    pid,
    baseUrl: `http://127.0.0.1:${settings.PORT ?? '3000'}`,
    stdout: () => out,
    stderr: () => err,
    exited,
    running: () => status === undefined,
    waitForStdout(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`stdout did not match ${pattern} within ${timeoutMs} ms:\n${out}${err}`)), timeoutMs);
        const check = () => {
          if (pattern.test(out)) finish();
          else if (status) finish(new Error(`authgate exited (${JSON.stringify(status)}) before stdout matched ${pattern}:\n${out}${err}`));
        };
        function finish(error?: Error) {
          clearTimeout(timer);
          watchers.delete(check);
          if (error) reject(error);
          else resolve();
        }
        watchers.add(check);
        check();
      });
    },
    signal(signal) {
      if (status === undefined) process.kill(pid, signal);
    },
    async kill() {
      if (status === undefined) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone between the check and the signal.
        }
      }
      await exited;
    },
  };
}

/** Polls GET /health until it answers 200; returns the milliseconds that took. */
export async function waitUntilHealthy(server: AuthgateProcess, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (!server.running()) {
      throw new Error(`authgate exited before answering /health: ${JSON.stringify(await server.exited)}\n${server.stdout()}${server.stderr()}`);
    }
    const response = await fetch(`${server.baseUrl}/health`, { signal: AbortSignal.timeout(1000) }).catch(() => null);
    if (response?.status === 200) return Math.round(performance.now() - started);
    await response?.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`authgate did not answer /health within ${timeoutMs} ms:\n${server.stdout()}${server.stderr()}`);
}
