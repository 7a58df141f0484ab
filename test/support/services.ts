// Real PostgreSQL and Redis servers for the test run, each in its own temp dir on a free loopback port.
// Each server's shutdown belongs to a watchdog (./watchdog), so even a killed test run leaves no server behind.
import { freePort } from './authgate-process';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { startWatchdog } from './watchdog';

export interface RunningService {
  url: string;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;

/** Absolute path of an executable: PATH first, then Debian's /usr/lib/postgresql/<version>/bin (newest first). */
export function findBinary(name: string): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const pgRoot = '/usr/lib/postgresql';
  if (existsSync(pgRoot)) {
    const versions = readdirSync(pgRoot).sort((a, b) => Number(b) - Number(a));
    dirs.push(...versions.map((version) => join(pgRoot, version, 'bin')));
  }
  return dirs.map((dir) => join(dir, name)).find((path) => existsSync(path));
}

/** Names of the server binaries this machine lacks, ignoring services replaced by TEST_DATABASE_URL / TEST_REDIS_URL. */
export function missingServiceBinaries(): string[] {
  const needed = [
    ...(process.env.TEST_DATABASE_URL ? [] : ['initdb', 'pg_ctl']),
    ...(process.env.TEST_REDIS_URL ? [] : ['redis-server']),
  ];
  return needed.filter((name) => findBinary(name) === undefined);
}

export async function startPostgres(): Promise<RunningService> {
  const external = process.env.TEST_DATABASE_URL;
  if (external) return { url: external, stop: async () => {} };
  const initdb = findBinary('initdb');
  if (!initdb) throw new Error('initdb not found (apt-get install -y postgresql)');
  const pgCtl = join(dirname(initdb), 'pg_ctl');
  // PostgreSQL refuses to run as root, so as root every server command runs as the postgres user.
  const asPostgres = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
  const run = (args: string[]) => {
    const [file, ...rest] = [...asPostgres, ...args];
    execFileSync(file!, rest, { stdio: 'pipe' });
  };

  const dir = mkdtempSync(join(tmpdir(), 'authgate-pg-'));
  if (asPostgres.length > 0) {
    chownSync(dir, Number(execFileSync('id', ['-u', 'postgres'])), Number(execFileSync('id', ['-g', 'postgres'])));
  }
  const data = join(dir, 'data');
  const watchdog = startWatchdog([{ run: [...asPostgres, pgCtl, 'stop', '-D', data, '-m', 'immediate'] }], dir);
  try {
    run([initdb, '-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
    let lastError: unknown;
    // A free port can be taken between probing and binding; a fresh port on retry settles that race.
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const options = `-c listen_addresses=127.0.0.1 -p ${port} -k '${dir}' -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
      try {
        run([pgCtl, 'start', '-D', data, '-w', '-t', '60', '-l', join(dir, 'postgres.log'), '-o', options]);
        return { url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`, stop: watchdog.stop };
      } catch (error) {
        lastError = error;
      }
    }
    throw new Error(`PostgreSQL did not start: ${tail(join(dir, 'postgres.log'))}`, { cause: lastError });
  } catch (error) {
    await watchdog.stop();
    throw error;
  }
}

export async function startRedis(): Promise<RunningService> {
  const external = process.env.TEST_REDIS_URL;
  if (external) return { url: external, stop: async () => {} };
  const redisServer = findBinary('redis-server');
  if (!redisServer) throw new Error('redis-server not found (apt-get install -y redis-server)');
  let lastLog = '';
  // A free port can be taken between probing and binding; a fresh port on retry settles that race.
  for (let attempt = 0; attempt < 3; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), 'authgate-redis-'));
    const port = await freePort();
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', 'redis.log'];
    const server = spawn(redisServer, args, { stdio: 'ignore' });
    const watchdog = startWatchdog(server.pid ? [{ kill: server.pid }] : [], dir);
    if (await redisAnswers(port, server)) return { url: `redis://127.0.0.1:${port}`, stop: watchdog.stop };
    lastLog = tail(join(dir, 'redis.log'));
    await watchdog.stop();
  }
  throw new Error(`Redis did not start: ${lastLog}`);
}

async function redisAnswers(port: number, server: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && server.exitCode === null) {
    if (await pingRedis(port)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

function pingRedis(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    socket.setTimeout(1000, () => socket.destroy());
    socket.once('data', (reply) => {
      resolve(reply.toString().startsWith('+PONG'));
      socket.destroy();
    });
    socket.once('close', () => resolve(false));
    socket.once('error', () => resolve(false));
  });
}

function tail(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-15).join('\n') : '(no log)';
}
