// `node --import tsx bench/login-event-loop.ts`: login and register cost, and /health latency while logins hash.
// Starts `npm start` in embedded mode on a temp DATA_DIR and a free loopback port, runs bounded loops only, prints a
// Markdown table and stops the server by itself. ARGON2_MEMORY_KIB / ARGON2_ITERATIONS / ARGON2_PARALLELISM and
// UV_THREADPOOL_SIZE in the environment are passed to the server (defaults: OWASP's m=19456 KiB, t=2, p=1; 4 threads).
import { cpus } from 'node:os';
import { type AuthgateProcess, waitUntilHealthy } from '../test/support/authgate-process';
import { spawnBenchServer } from './server';
import { ms, runConcurrently, type Summary, summarize } from './stats';

const LOGINS_PER_LEVEL = 48;
const CONCURRENCY_LEVELS = [1, 4, 8];
const REGISTRATIONS = 16;
const HEALTH_SAMPLES = 400;
const LOGINS_IN_FLIGHT = 8;
const DEADLINE_MS = 10 * 60_000;
const PASSWORD = 'violet-harbour-lantern-42';
const EMAIL = 'bench@example.com';

async function post(server: AuthgateProcess, path: string, body: unknown, expectedStatus: number) {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== expectedStatus) throw new Error(`${path} answered ${response.status}: ${text.slice(0, 200)}`);
}

const login = (server: AuthgateProcess) => post(server, '/api/v1/auth/login', { email: EMAIL, password: PASSWORD }, 200);

async function health(server: AuthgateProcess): Promise<number> {
  const t0 = performance.now();
  const response = await fetch(`${server.baseUrl}/health`);
  await response.text();
  if (response.status !== 200) throw new Error(`/health answered ${response.status}`);
  return performance.now() - t0;
}

async function sampleHealth(server: AuthgateProcess): Promise<Summary> {
  const samples: number[] = [];
  for (let i = 0; i < HEALTH_SAMPLES; i++) samples.push(await health(server));
  return summarize(samples);
}

/** /health latency while LOGINS_IN_FLIGHT clients log in back to back; returns it and how many logins ran. */
async function healthUnderLogins(server: AuthgateProcess): Promise<{ summary: Summary; logins: number }> {
  let sampling = true;
  let logins = 0;
  let warm = 0;
  let allWarm: () => void = () => {};
  const warmedUp = new Promise<void>((resolve) => (allWarm = resolve));
  const client = async () => {
    await login(server);
    if (++warm === LOGINS_IN_FLIGHT) allWarm();
    while (sampling) {
      await login(server);
      logins++;
    }
  };
  const clients = Promise.all(Array.from({ length: LOGINS_IN_FLIGHT }, client));
  // Sample only once every client is past its first login, so the hashing pipeline is full throughout.
  await warmedUp;
  const summary = await sampleHealth(server);
  sampling = false;
  await clients;
  return { summary, logins };
}

function row(cells: (string | number)[]) {
  return `| ${cells.join(' | ')} |`;
}

async function main() {
  const argon2: Record<string, string> = {};
  for (const name of ['ARGON2_MEMORY_KIB', 'ARGON2_ITERATIONS', 'ARGON2_PARALLELISM', 'UV_THREADPOOL_SIZE']) if (process.env[name]) argon2[name] = process.env[name]!;
  const { server } = await spawnBenchServer(argon2);
  const deadline = setTimeout(() => {
    console.error(`bench: still running after ${DEADLINE_MS / 1000} s; stopping`);
    void server.kill().finally(() => process.exit(1));
  }, DEADLINE_MS);
  const interrupt = () => void server.kill().finally(() => process.exit(130));
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    const startMs = await waitUntilHealthy(server, 60_000);
    const lines: string[] = [];
    const registrations = await runConcurrently(REGISTRATIONS, 1, async () => {
      await post(server, '/api/v1/auth/register', { email: `bench.${crypto.randomUUID()}@example.com`, password: PASSWORD }, 201);
    });
    await post(server, '/api/v1/auth/register', { email: EMAIL, password: PASSWORD }, 201);
    for (let i = 0; i < 4; i++) await login(server); // warm-up: JIT, connection pool, PGlite caches

    const loginRows = [];
    for (const concurrency of CONCURRENCY_LEVELS) {
      const run = await runConcurrently(LOGINS_PER_LEVEL, concurrency, () => login(server));
      loginRows.push({ concurrency, perSecond: (LOGINS_PER_LEVEL / run.wallMs) * 1000, ...summarize(run.samplesMs) });
    }
    const idle = await sampleHealth(server);
    const loaded = await healthUnderLogins(server);

    const params = `m=${argon2.ARGON2_MEMORY_KIB ?? 19456} KiB, t=${argon2.ARGON2_ITERATIONS ?? 2}, p=${argon2.ARGON2_PARALLELISM ?? 1}, libuv thread pool ${argon2.UV_THREADPOOL_SIZE ?? 4}`;
    lines.push(`authgate, embedded mode (PGlite + embedded KV), Argon2id ${params}; node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim()}`);
    lines.push(`server ready (/health 200) ${ms(startMs)} ms after spawn on an empty DATA_DIR; client and server on one machine, loopback`, '');
    lines.push(row(['measurement', 'clients', 'requests', 'throughput (req/s)', 'p50 (ms)', 'p95 (ms)', 'max (ms)']));
    lines.push(row(['---', '---:', '---:', '---:', '---:', '---:', '---:']));
    const reg = summarize(registrations.samplesMs);
    lines.push(row(['register', 1, reg.count, ((reg.count / registrations.wallMs) * 1000).toFixed(1), ms(reg.p50Ms), ms(reg.p95Ms), ms(reg.maxMs)]));
    for (const r of loginRows) lines.push(row(['login', r.concurrency, r.count, r.perSecond.toFixed(1), ms(r.p50Ms), ms(r.p95Ms), ms(r.maxMs)]));
    lines.push(row(['/health, idle', 1, idle.count, '', ms(idle.p50Ms), ms(idle.p95Ms), ms(idle.maxMs)]));
    const under = loaded.summary;
    lines.push(row([`/health, ${LOGINS_IN_FLIGHT} logins in flight (${loaded.logins} logins meanwhile)`, 1, under.count, '', ms(under.p50Ms), ms(under.p95Ms), ms(under.maxMs)]));
    console.log(lines.join('\n'));

    server.signal('SIGTERM');
    const exit = await server.exited;
    if (exit.code !== 0) throw new Error(`server exited with ${JSON.stringify(exit)}: ${server.stderr()}`);
  } finally {
    clearTimeout(deadline);
    await server.kill();
  }
}

main().catch((error: unknown) => {
  console.error('bench failed:', error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
