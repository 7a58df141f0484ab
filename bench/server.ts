// The server every bench measures: `npm start`'s command on a fresh temp DATA_DIR and a free loopback port (embedded
// mode unless `extra` names the stores), with rate limits raised out of the way so they don't shape the figures.
// For profiling any bench: BENCH_NODE_ARGS adds Node options to the server's (space-separated), e.g.
// --perf-basic-prof for `perf record -a`; BENCH_SERVER_ENV='K=V K=V' adds settings (or any environment variable).
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AuthgateProcess, freePort, npmStartArgs, spawnAuthgate } from '../test/support/authgate-process';
import { startWatchdog } from '../test/support/watchdog';

/** How long a bench server may take to shut down on SIGTERM before it is killed. */
const GRACE_MS = 20_000;

const words = (value: string | undefined) => value?.split(' ').filter(Boolean) ?? [];

/**
 * The server and its DATA_DIR belong to a watchdog (test/support/watchdog.ts): a bench that dies (an error, a signal,
 * a closed pipe, `timeout`) leaves neither running nor on disk. `kill()` stops the server, then the watchdog, which
 * removes the DATA_DIR; it sends SIGTERM first and kills after GRACE_MS. `nodeArgs`: Node options before npm start's
 * own (BENCH_NODE_ARGS is added to them).
 */
export async function spawnBenchServer(extra: Record<string, string> = {}, nodeArgs: string[] = []): Promise<{ server: AuthgateProcess }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'authgate-bench-'));
  const port = await freePort();
  const args = [...nodeArgs, ...words(process.env.BENCH_NODE_ARGS)];
  const server = spawnAuthgate(
    {
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      APP_URL: `http://127.0.0.1:${port}`,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_AUTH: '1000000/60',
      RATE_LIMIT_GLOBAL: '1000000/60',
      ...extra,
      ...Object.fromEntries(words(process.env.BENCH_SERVER_ENV).map((pair) => pair.split('=', 2))),
    },
    args.length > 0 ? { args: [...args, ...npmStartArgs()] } : {},
  );
  const watchdog = startWatchdog([{ kill: server.pid }], dataDir);
  return {
    server: {
      ...server,
      async kill() {
        // SIGTERM first, so a server run with --cpu-prof (BENCH_NODE_ARGS) writes its profile as it shuts down.
        server.signal('SIGTERM');
        await Promise.race([server.exited, new Promise((resolve) => setTimeout(resolve, GRACE_MS).unref())]);
        await server.kill();
        await watchdog.stop();
      },
    },
  };
}
