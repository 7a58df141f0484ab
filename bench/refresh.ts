// `node --import tsx bench/refresh.ts`: refresh-token rotations per second on PostgreSQL + Redis, 50 connections.
//
// Starts a throwaway PostgreSQL and Redis from the machine's binaries (as the tests do; BENCH_DATABASE_URL and
// BENCH_REDIS_URL name servers of yours instead — a fresh database is created on and dropped from the former),
// migrates, starts `npm start`'s command on them (NODE_ENV=production, rate limits out of the way), registers one
// account per connection, then each connection rotates its own chain — every reply's refresh token is the next
// request's — for BENCH_SECONDS (default 10) after a 2 s warm-up. A rotation counts when the answer is 200 with a
// new pair; anything else is an error (that connection then logs in again to start a fresh chain). Goal
// (issue 13): ≥ 1,000 rotations/s with no error. BENCH_CPU_PROF=<dir> writes the server's CPU profile there;
// BENCH_NODE_ARGS and BENCH_SERVER_ENV as for every bench server (bench/server.ts).
import { cpus, loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { runPostgresMigrations } from '../src/adapters/db/migrate';
import { type AuthgateProcess, waitUntilHealthy } from '../test/support/authgate-process';
import { startPostgres, startRedis } from '../test/support/services';
import type { BenchRow } from './bench-row';
import { processCpuMs } from './proc-cpu';
import { RawClient, type Reply } from './raw-client';
import { spawnBenchServer } from './server';
import { ms, percentile } from './stats';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARM_UP_SECONDS = 2;
const GOAL_PER_SECOND = 1000;
const PASSWORD = 'violet-harbour-lantern-42';
const HEALTHY_WITHIN_MS = 90_000;

async function databaseOn(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `authgate_refresh_${crypto.randomUUID().replaceAll('-', '')}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    await client.query(statement).finally(() => client.end());
  };
  await admin(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`drop database if exists ${name} with (force)`) };
}

export interface RefreshResult {
  rotations: number;
  /** The server process's CPU time per rotation over the measured window: what the rate would be per busy core. */
  serverCpuMsPerRotation?: number;
  /** This process's (the load driver's) CPU time per rotation over the same window. */
  driverCpuMsPerRotation?: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  firstError?: string;
}

/**
 * One client's keep-alive connection (bench/raw-client.ts) for its account, from registration to the end. A refused
 * or dropped connection answers status 0, an error like any other answer; the next request connects again.
 */
function connectionTo(base: URL): { send(path: string, body: unknown): Promise<Reply>; close(): void } {
  let connection: RawClient | undefined;
  return {
    async send(path, body) {
      try {
        connection ??= await RawClient.connect(base);
        return await connection.post(path, body);
      } catch {
        connection?.close();
        connection = undefined;
        return { status: 0, body: {} };
      }
    },
    close: () => connection?.close(),
  };
}

type Connection = ReturnType<typeof connectionTo>;

/** Each of CONNECTIONS clients rotates its own chain until `until`; counts only what completes after `from`. */
async function drive(connections: Connection[], emails: string[], tokens: string[], from: number, until: number): Promise<Omit<RefreshResult, 'perSecond' | 'seconds'>> {
  let rotations = 0;
  let errors = 0;
  let firstError: string | undefined;
  const latencies: number[] = [];
  const client = async (index: number) => {
    const connection = connections[index]!;
    while (performance.now() < until) {
      const t0 = performance.now();
      const reply = await connection.send('/api/v1/auth/refresh', { refreshToken: tokens[index] });
      const t1 = performance.now();
      const next = reply.status === 200 ? reply.body.data?.refreshToken : undefined;
      if (next && next !== tokens[index]) {
        tokens[index] = next;
        if (t0 >= from) {
          rotations++;
          latencies.push(t1 - t0);
        }
        continue;
      }
      if (t0 >= from) {
        errors++;
        firstError ??= `HTTP ${reply.status}`;
      }
      // The chain is broken (spent or revoked): start a fresh one so this connection keeps rotating.
      const login = await connection.send('/api/v1/auth/login', { email: emails[index], password: PASSWORD });
      const fresh = login.body.data?.refreshToken;
      if (login.status !== 200 || !fresh) throw new Error(`login after a failed rotation answered ${login.status}`);
      tokens[index] = fresh;
    }
  };
  await Promise.all(emails.map((_, index) => client(index)));
  latencies.sort((a, b) => a - b);
  return { rotations, errors, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99), ...(firstError ? { firstError } : {}) };
}

async function measure(server: AuthgateProcess): Promise<RefreshResult> {
  const base = new URL(server.baseUrl);
  const connections = Array.from({ length: CONNECTIONS }, () => connectionTo(base));
  try {
    const emails = Array.from({ length: CONNECTIONS }, (_, i) => `refresh-${i}@example.com`);
    const tokens = await Promise.all(
      emails.map(async (email, index) => {
        const reply = await connections[index]!.send('/api/v1/auth/register', { email, password: PASSWORD });
        const token = reply.body.data?.refreshToken;
        if (reply.status !== 201 || !token) throw new Error(`register answered ${reply.status}`);
        return token;
      }),
    );
    const start = performance.now();
    const from = start + WARM_UP_SECONDS * 1000;
    const until = from + SECONDS * 1000;
    let cpuAtStart: number | undefined;
    let driverAtStart: NodeJS.CpuUsage | undefined;
    const mark = setTimeout(() => {
      cpuAtStart = processCpuMs(server.pid);
      driverAtStart = process.cpuUsage();
    }, from - performance.now());
    const result = await drive(connections, emails, tokens, from, until);
    clearTimeout(mark);
    const seconds = (performance.now() - from) / 1000;
    const cpuAtEnd = processCpuMs(server.pid);
    const driver = driverAtStart && process.cpuUsage(driverAtStart);
    const cpu = cpuAtStart !== undefined && cpuAtEnd !== undefined && result.rotations > 0 ? (cpuAtEnd - cpuAtStart) / result.rotations : undefined;
    const driverCpu = driver && result.rotations > 0 ? (driver.user + driver.system) / 1000 / result.rotations : undefined;
    return {
      ...result,
      seconds,
      perSecond: result.rotations / seconds,
      ...(cpu !== undefined ? { serverCpuMsPerRotation: cpu } : {}),
      ...(driverCpu !== undefined ? { driverCpuMsPerRotation: driverCpu } : {}),
    };
  } finally {
    for (const connection of connections) connection.close();
  }
}

/** Starts the stores and the server, measures, stops everything it started. */
export async function measureRefresh(log: (line: string) => void = () => {}): Promise<RefreshResult> {
  const postgres = process.env.BENCH_DATABASE_URL ? { url: process.env.BENCH_DATABASE_URL, stop: async () => {} } : await startPostgres();
  const redis = process.env.BENCH_REDIS_URL ? { url: process.env.BENCH_REDIS_URL, stop: async () => {} } : await startRedis();
  let database: Awaited<ReturnType<typeof databaseOn>> | undefined;
  let server: AuthgateProcess | undefined;
  try {
    database = await databaseOn(postgres.url);
    const pool = new pg.Pool({ connectionString: database.url, max: 1 });
    await runPostgresMigrations(pool).finally(() => pool.end());
    const profileDir = process.env.BENCH_CPU_PROF;
    ({ server } = await spawnBenchServer(
      {
        NODE_ENV: 'production',
        DATABASE_URL: database.url,
        REDIS_URL: redis.url,
        // Production has no dev mailbox; registrations would mail a verification link. None is sent here.
        MAIL_TRANSPORT: 'dev',
        // Registration only sets the sessions up; a rotation never hashes a password.
        ARGON2_MEMORY_KIB: '64',
        ARGON2_ITERATIONS: '1',
      },
      profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    ));
    await waitUntilHealthy(server, HEALTHY_WITHIN_MS);
    log(`refresh: server up on PostgreSQL + Redis; ${CONNECTIONS} connections, ${WARM_UP_SECONDS} s warm-up, ${SECONDS} s measured`);
    return await measure(server);
  } finally {
    // SIGTERM first (bench/server.ts), so a profile asked for with BENCH_CPU_PROF is written.
    await server?.kill();
    await database?.drop().catch(() => {});
    await Promise.allSettled([postgres.stop(), redis.stop()]);
  }
}

export async function run(log: (line: string) => void = () => {}): Promise<BenchRow[]> {
  const result = await measureRefresh(log);
  return [
    { name: `refresh rotations/s (PostgreSQL + Redis, ${CONNECTIONS} connections)`, value: Math.round(result.perSecond), unit: '/s', goal: `≥ ${GOAL_PER_SECOND}`, ok: result.perSecond >= GOAL_PER_SECOND },
    { name: 'refresh errors', value: result.errors, unit: '', goal: '0', ok: result.errors === 0 },
    { name: 'refresh p99', value: Number(ms(result.p99Ms)), unit: 'ms', goal: '', ok: true },
    ...(result.serverCpuMsPerRotation !== undefined
      ? [{ name: 'refresh: server CPU per rotation', value: Number(result.serverCpuMsPerRotation.toFixed(2)), unit: 'ms', goal: '', ok: true }]
      : []),
    ...(result.driverCpuMsPerRotation !== undefined
      ? [{ name: 'refresh: load driver CPU per rotation', value: Number(result.driverCpuMsPerRotation.toFixed(2)), unit: 'ms', goal: '', ok: true }]
      : []),
  ];
}

async function main() {
  const result = await measureRefresh((line) => console.log(line));
  console.log('');
  const cpu = result.serverCpuMsPerRotation;
  const driver = result.driverCpuMsPerRotation;
  console.log('| connections | seconds | rotations | rotations/s | errors | p50 (ms) | p99 (ms) | server CPU per rotation | driver CPU per rotation | load average |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  console.log(
    `| ${CONNECTIONS} | ${result.seconds.toFixed(1)} | ${result.rotations} | ${result.perSecond.toFixed(0)} | ${result.errors}${result.firstError ? ` (first: ${result.firstError})` : ''} | ${ms(result.p50Ms)} | ${ms(result.p99Ms)} | ${cpu === undefined ? 'n/a' : `${cpu.toFixed(2)} ms`} | ${driver === undefined ? 'n/a' : `${driver.toFixed(2)} ms`} | ${loadavg().map((v) => v.toFixed(1)).join(' ')} (${cpus().length} cores) |`,
  );
  console.log(`goal ≥ ${GOAL_PER_SECOND}/s with 0 errors: ${result.perSecond >= GOAL_PER_SECOND && result.errors === 0 ? 'met' : 'NOT met'}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
