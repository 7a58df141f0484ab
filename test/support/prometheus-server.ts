// A real Prometheus (Debian's /usr/bin/prometheus) on a loopback port for one test file. A watchdog owns its
// shutdown, by the pid it was spawned with, so even a killed test run leaves no Prometheus and no temp dir behind.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './authgate-process';
import { startWatchdog } from './watchdog';

const READY_TIMEOUT_MS = 30_000;
const POLL_MS = 100;

export interface PrometheusServer {
  readonly url: string;
  /** The instant query's result vector (`/api/v1/query`); throws on a query Prometheus refuses. */
  query(expr: string): Promise<unknown[]>;
  /** Polls `expr` until it returns at least one series or `timeoutMs` passes; the last result either way. */
  queryUntilSeries(expr: string, timeoutMs: number): Promise<unknown[]>;
  output(): string;
  stop(): Promise<void>;
}

const pause = () => new Promise((resolve) => setTimeout(resolve, POLL_MS));

/** Starts `binary` with `config` (YAML text) written into `dir`, which the watchdog removes when it stops. */
export async function startPrometheus(binary: string, dir: string, config: string): Promise<PrometheusServer> {
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, config);
  const port = await freePort();
  const args = [`--config.file=${configFile}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error('prometheus did not spawn');
  const watchdog = startWatchdog([{ kill: child.pid }], dir);
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;

  async function query(expr: string): Promise<unknown[]> {
    const response = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: expr })}`);
    const body = (await response.json()) as { status: string; error?: string; data?: { resultType: string; result: unknown[] } };
    if (body.status !== 'success' || !body.data) throw new Error(`Prometheus refused ${expr}: ${body.error ?? response.status}`);
    return body.data.resultType === 'vector' || body.data.resultType === 'matrix' ? body.data.result : [body.data.result];
  }

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}:\n${output}`);
    const ready = await fetch(`${url}/-/ready`).then((response) => response.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      await watchdog.stop();
      throw new Error(`prometheus not ready after ${READY_TIMEOUT_MS} ms:\n${output}`);
    }
    await pause();
  }

  return {
    url,
    query,
    async queryUntilSeries(expr, timeoutMs) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const result = await query(expr);
        if (result.length > 0 || Date.now() > until) return result;
        await pause();
      }
    },
    output: () => output,
    stop: watchdog.stop,
  };
}
