// Soak: mixed traffic for SOAK_SECONDS (default 600) at half the measured capacity, on PostgreSQL + Redis (throwaway
// instances started here, as the tests start theirs). Reports errors, resident memory growth after warm-up and the
// event loop's delay (prom-client's p99 per scrape window). Goals (issue 14): 0 errors, RSS growth < 10 %, loop p99 < 50 ms.
//
//   node --import tsx bench/soak.ts                 # 10 minutes
//   SOAK_SECONDS=120 node --import tsx bench/soak.ts
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { startPostgres, startRedis } from '../test/support/services';
import { spawnBenchServer } from './server';

const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const WARM_UP_SECONDS = Math.min(60, Math.round(SOAK_SECONDS / 5));
const PROBE_SECONDS = 10;
const USERS = 40;
const PASSWORD = 'violet-harbour-lantern-42';

const progress = (line: string) => process.stderr.write(`soak: ${line}\n`);

interface Session {
  email: string;
  accessToken: string;
  refreshToken: string;
}

let baseUrl = '';
const counts = { session: 0, refresh: 0, login: 0, logout: 0, errors: 0 };
const errorSamples: string[] = [];

async function call(path: string, init: { method?: string; json?: unknown; token?: string } = {}): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const response = await fetch(`${baseUrl}${path}`, {
    method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
    headers,
    ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

function expectStatus(what: string, result: { status: number; body: any }, expected: number): boolean {
  if (result.status === expected) return true;
  counts.errors += 1;
  if (errorSamples.length < 10) errorSamples.push(`${what}: ${result.status} ${JSON.stringify(result.body?.error ?? result.body).slice(0, 200)}`);
  return false;
}

async function login(email: string): Promise<Session | undefined> {
  const result = await call('/api/v1/auth/login', { json: { email, password: PASSWORD } });
  counts.login += 1;
  if (!expectStatus('login', result, 200)) return undefined;
  return { email, accessToken: result.body.data.accessToken, refreshToken: result.body.data.refreshToken };
}

/** One action of one virtual user: mostly session checks, some rotations, now and then a new login and a logout. */
async function act(session: Session): Promise<Session> {
  const roll = Math.random();
  if (roll < 0.85) {
    counts.session += 1;
    expectStatus('session', await call('/api/v1/users/me', { token: session.accessToken }), 200);
    return session;
  }
  if (roll < 0.97) {
    const result = await call('/api/v1/auth/refresh', { json: { refreshToken: session.refreshToken } });
    counts.refresh += 1;
    if (!expectStatus('refresh', result, 200)) return (await login(session.email)) ?? session;
    return { ...session, accessToken: result.body.data.accessToken, refreshToken: result.body.data.refreshToken };
  }
  const next = await login(session.email);
  counts.logout += 1;
  const logout = await call('/api/v1/auth/logout', { method: 'POST', token: session.accessToken });
  expectStatus('logout', logout, 200);
  return next ?? session;
}

/** Virtual users, each with its own session, each pacing itself to `ratePerSecond / users` (0: as fast as it can). */
async function drive(sessions: Session[], seconds: number, ratePerSecond: number): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  const interval = ratePerSecond > 0 ? (1000 * sessions.length) / ratePerSecond : 0;
  await Promise.all(
    sessions.map(async (_, index) => {
      let next = performance.now() + Math.random() * interval;
      while (performance.now() < deadline) {
        if (interval > 0) {
          const wait = next - performance.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          next += interval;
        }
        sessions[index] = await act(sessions[index]!);
        done += 1;
      }
    }),
  );
  return done / seconds;
}

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line?.match(/(\d+)/)?.[1] ?? 0) / 1024;
}

async function loopDelayP99Ms(): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const match = /^nodejs_eventloop_lag_p99_seconds (\S+)/m.exec(text);
  return match ? Number(match[1]) * 1000 : Number.NaN;
}

async function main() {
  progress('starting PostgreSQL and Redis');
  const [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  await admin.query('CREATE DATABASE authgate_soak');
  await admin.end();
  const { server } = await spawnBenchServer({ DATABASE_URL: postgres.url.replace(/\/postgres$/, '/authgate_soak'), REDIS_URL: redis.url, MAIL_TRANSPORT: 'dev' });
  try {
    baseUrl = server.baseUrl;
    await server.waitForStdout(/listening/i, 60_000);
    progress(`registering ${USERS} users`);
    const sessions: Session[] = [];
    for (let i = 0; i < USERS; i++) {
      const email = `soak.${i}@example.com`;
      expectStatus('register', await call('/api/v1/auth/register', { json: { email, password: PASSWORD, name: `Soak ${i}` } }), 201);
      const session = await login(email);
      if (session) sessions.push(session);
    }
    progress(`measuring capacity for ${PROBE_SECONDS} s`);
    const capacity = await drive(sessions, PROBE_SECONDS, 0);
    const rate = Math.max(1, Math.round(capacity / 2));
    progress(`capacity ${capacity.toFixed(0)} req/s; soaking at ${rate} req/s for ${SOAK_SECONDS} s (warm-up ${WARM_UP_SECONDS} s)`);
    Object.assign(counts, { session: 0, refresh: 0, login: 0, logout: 0, errors: 0 });
    errorSamples.length = 0;

    const loopP99: number[] = [];
    let rssAfterWarmUp = 0;
    let rssMax = 0;
    const started = performance.now();
    await loopDelayP99Ms(); // starts a fresh window
    const sampler = setInterval(() => {
      const elapsed = (performance.now() - started) / 1000;
      const rss = rssMiB(server.pid);
      if (elapsed >= WARM_UP_SECONDS) {
        if (rssAfterWarmUp === 0) rssAfterWarmUp = rss;
        rssMax = Math.max(rssMax, rss);
      }
      void loopDelayP99Ms().then((value) => {
        if (elapsed >= WARM_UP_SECONDS && Number.isFinite(value)) loopP99.push(value);
      });
      if (Math.round(elapsed) % 60 < 5) progress(`${Math.round(elapsed)} s: ${JSON.stringify(counts)}, rss ${rss.toFixed(0)} MiB`);
    }, 5000);
    const achieved = await drive(sessions, SOAK_SECONDS, rate);
    clearInterval(sampler);
    const rssEnd = rssMiB(server.pid);
    const growth = rssAfterWarmUp > 0 ? (100 * (rssEnd - rssAfterWarmUp)) / rssAfterWarmUp : Number.NaN;
    const worstLoop = loopP99.length ? Math.max(...loopP99) : Number.NaN;
    const sorted = [...loopP99].sort((a, b) => a - b);
    const medianLoop = sorted.length ? sorted[Math.floor(sorted.length / 2)]! : Number.NaN;
    console.log(`\n| soak (${new Date().toISOString().slice(0, 10)}, PostgreSQL + Redis, ${SOAK_SECONDS} s) | value | goal |`);
    console.log('| --- | ---: | --- |');
    console.log(`| capacity (closed loop, ${USERS} users) | ${capacity.toFixed(0)} req/s | |`);
    console.log(`| offered / achieved | ${rate} / ${achieved.toFixed(0)} req/s | half the capacity |`);
    console.log(`| requests (session / refresh / login / logout) | ${counts.session} / ${counts.refresh} / ${counts.login} / ${counts.logout} | |`);
    console.log(`| errors | ${counts.errors} | 0 |`);
    console.log(`| RSS after warm-up → end (max) | ${rssAfterWarmUp.toFixed(0)} → ${rssEnd.toFixed(0)} MiB (${rssMax.toFixed(0)}) | |`);
    console.log(`| RSS growth after warm-up | ${growth.toFixed(1)} % | < 10 % |`);
    console.log(`| event-loop delay p99, per 5 s window: median / worst | ${medianLoop.toFixed(1)} / ${worstLoop.toFixed(1)} ms | < 50 ms |`);
    for (const sample of errorSamples) console.log(`error: ${sample}`);
  } finally {
    await server.kill();
    await Promise.all([postgres.stop(), redis.stop()]);
  }
}

await main();
