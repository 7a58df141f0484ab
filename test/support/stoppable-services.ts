// A PostgreSQL and a Redis of one test file's own, which the file may stop and start again (on the same port, with
// the same data) to see what authgate does while a store is down. Never the shared servers of global-setup: other
// suites use those. One watchdog owns both: even a killed test run leaves no server and no temp dir behind.
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './authgate-process';
import { findBinary } from './services';
import { startWatchdog } from './watchdog';

const run = promisify(execFile);

export interface StoppableServer {
  readonly url: string;
  /** Stops the server the way an operator (or a crash of the machine's service manager) would; resolves once it is gone. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data; resolves once it accepts connections. */
  start(): Promise<void>;
}

export interface StoppableStores {
  postgres: StoppableServer;
  /** Runs with an append-only file, as a production Redis keeping a denylist does: a restart keeps its keys. */
  redis: StoppableServer & { readonly pid: number | undefined };
  /** Stops both for good and removes their files; for afterAll. */
  dispose(): Promise<void>;
}

function need(name: string): string {
  const path = findBinary(name);
  if (!path) throw new Error(`${name} not found (apt-get install -y postgresql redis-server)`);
  return path;
}

export async function startStoppableStores(): Promise<StoppableStores> {
  const initdb = need('initdb');
  const pgCtl = join(dirname(initdb), 'pg_ctl');
  const redisServer = need('redis-server');
  const redisCli = need('redis-cli');
  // PostgreSQL refuses to run as root, so as root every server command runs as the postgres user.
  const asPostgres = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
  const root = mkdtempSync(join(tmpdir(), 'authgate-stoppable-'));
  const pgDir = join(root, 'pg');
  const redisDir = join(root, 'redis');
  mkdirSync(pgDir);
  mkdirSync(redisDir);
  if (asPostgres.length > 0) chmodSync(root, 0o711); // the postgres user must reach its own directory below
  if (asPostgres.length > 0) chownSync(pgDir, Number(execFileSync('id', ['-u', 'postgres'])), Number(execFileSync('id', ['-g', 'postgres'])));
  const data = join(pgDir, 'data');
  const [pgPort, redisPort] = [await freePort(), await freePort()];
  const watchdog = startWatchdog(
    [
      { run: [redisCli, '-h', '127.0.0.1', '-p', String(redisPort), 'shutdown', 'nosave'] },
      { run: [...asPostgres, pgCtl, 'stop', '-D', data, '-m', 'immediate'] },
    ],
    root,
  );
  const asPg = (args: string[]) => {
    const [file, ...rest] = [...asPostgres, ...args];
    return run(file!, rest);
  };

  const postgres: StoppableServer = {
    url: `postgres://postgres:postgres@127.0.0.1:${pgPort}/postgres`,
    async start() {
      const options = `-c listen_addresses=127.0.0.1 -p ${pgPort} -k '${pgDir}' -c fsync=off -c full_page_writes=off`;
      await asPg([pgCtl, 'start', '-D', data, '-w', '-t', '60', '-l', join(pgDir, 'postgres.log'), '-o', options]);
    },
    async stop() {
      // "fast": open sessions are ended and the server shuts down cleanly, as `systemctl stop` does.
      await asPg([pgCtl, 'stop', '-D', data, '-m', 'fast', '-w', '-t', '60']);
    },
  };

  let redisProcess: ChildProcess | undefined;
  let redisExited: Promise<void> = Promise.resolve();
  const redis = {
    url: `redis://127.0.0.1:${redisPort}`,
    get pid() {
      return redisProcess?.pid;
    },
    async start() {
      const args = ['--port', String(redisPort), '--bind', '127.0.0.1', '--dir', redisDir, '--logfile', 'redis.log', '--save', ''];
      const child = spawn(redisServer, [...args, '--appendonly', 'yes', '--appendfsync', 'always'], { stdio: 'ignore' });
      redisProcess = child;
      redisExited = new Promise((resolve) => child.once('exit', () => resolve()));
      for (let attempt = 0; attempt < 600; attempt++) {
        if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
        const pong = await run(redisCli, ['-h', '127.0.0.1', '-p', String(redisPort), 'ping']).then(({ stdout }) => stdout.trim(), () => '');
        if (pong === 'PONG') return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error('redis-server did not answer PING within 60 s');
    },
    async stop() {
      // SIGTERM to the pid this file spawned: Redis flushes its append-only file and exits.
      if (redisProcess?.exitCode === null) redisProcess.kill('SIGTERM');
      await redisExited;
    },
  };

  try {
    await asPg([initdb, '-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
    await Promise.all([postgres.start(), redis.start()]);
  } catch (error) {
    await watchdog.stop();
    throw error;
  }
  return { postgres, redis, dispose: watchdog.stop };
}
