// The server every bench measures: `npm start`'s command in embedded mode on a fresh temp DATA_DIR and a free
// loopback port, with rate limits raised out of the way so they don't shape the figures.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AuthgateProcess, freePort, spawnAuthgate } from '../test/support/authgate-process';
import { startWatchdog } from '../test/support/watchdog';

/**
 * The server and its DATA_DIR belong to a watchdog (test/support/watchdog.ts): a bench that dies (an error, a signal,
 * a closed pipe, `timeout`) leaves neither running nor on disk. `kill()` stops the server, then the watchdog, which
 * removes the DATA_DIR.
 */
export async function spawnBenchServer(extra: Record<string, string> = {}): Promise<{ server: AuthgateProcess; dataDir: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'authgate-bench-'));
  const server = spawnAuthgate({
    DATA_DIR: dataDir,
    PORT: String(await freePort()),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_AUTH: '1000000/60',
    RATE_LIMIT_GLOBAL: '1000000/60',
    ...extra,
  });
  const watchdog = startWatchdog([{ kill: server.pid }], dataDir);
  return {
    server: {
      ...server,
      async kill() {
        await server.kill();
        await watchdog.stop();
      },
    },
    dataDir,
  };
}
