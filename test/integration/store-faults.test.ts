// A real `npm start` on its own PostgreSQL and its own Redis, and the stores stopped and started again under it
// (issue 14, "Store faults"): while one is down every request that needs it answers 503 SERVICE_UNAVAILABLE — the
// denylist fails closed, rate limits fail open and say so once — readiness names the store, nothing is half-written,
// and once the store is back the same process serves again by itself. Never a 500, never a stack trace.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAuthgateFleet } from '../support/authgate-fleet';
import { type AuthgateProcess, freePort, waitUntilHealthy } from '../support/authgate-process';
import { type StoppableStores, startStoppableStores } from '../support/stoppable-services';

const PASSWORD = 'violet-harbour-lantern-42';
// Bounds, not waits: an answer must arrive before the client gives up (the stores' own deadlines are 2–4.5 s).
const CLIENT_GIVES_UP_MS = 10_000;
const RECOVERS_WITHIN_MS = 30_000;
const STORY_MS = 180_000;

let stores: StoppableStores;
let server: AuthgateProcess;
const fleet = await createAuthgateFleet('store-faults');
/** Every status any request of this file got, to show that no outage ever produced anything but 2xx/4xx/503. */
const statuses: number[] = [];

interface Reply {
  status: number;
  text: string;
  body: { success?: boolean; data?: Record<string, unknown>; error?: { code: string; message: string } } & Record<string, unknown>;
}

async function call(path: string, init: { method?: string; json?: unknown; token?: string } = {}): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const response = await fetch(`${server.baseUrl}${path}`, {
    method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
    headers,
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
    signal: AbortSignal.timeout(CLIENT_GIVES_UP_MS),
  });
  const text = await response.text();
  statuses.push(response.status);
  return { status: response.status, text, body: text ? JSON.parse(text) : {} };
}

/** A 503 in the API's envelope, without internals (no stack frames, no SQL, no driver message). */
function expectUnavailable(reply: Reply) {
  expect(reply.status).toBe(503);
  expect(reply.body.error?.code).toBe('SERVICE_UNAVAILABLE');
  expect(reply.text).not.toMatch(/\bat .*:\d+:\d+|ECONNREFUSED|select |insert |redis|postgres/i);
}

async function login(email: string) {
  const reply = await call('/api/v1/auth/login', { json: { email, password: PASSWORD } });
  expect(reply.status).toBe(200);
  return reply.body.data as { accessToken: string; refreshToken: string };
}

const me = (token: string) => call('/api/v1/users/me', { token });
const logout = (token: string) => call('/api/v1/auth/logout', { method: 'POST', token });
const refresh = (refreshToken: string) => call('/api/v1/auth/refresh', { json: { refreshToken } });
const ready = () => call('/health/ready');
const logLines = (message: string) => server.stdout().split('\n').filter((line) => line.includes(`"msg":"${message}`)).length;

async function readyAgain() {
  await vi.waitFor(async () => expect((await ready()).status).toBe(200), { timeout: RECOVERS_WITHIN_MS, interval: 250 });
}

beforeAll(async () => {
  stores = await startStoppableStores();
  server = fleet.start({
    DATABASE_URL: stores.postgres.url,
    REDIS_URL: stores.redis.url,
    PORT: String(await freePort()),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    ARGON2_MEMORY_KIB: '64',
    ARGON2_ITERATIONS: '1',
    // Every request comes from 127.0.0.1: the auth routes' own limit must not be what answers here.
    RATE_LIMIT_AUTH: '1000/60',
  });
  await waitUntilHealthy(server, 60_000);
  await readyAgain();
}, 120_000);

afterAll(async () => {
  await fleet.stopAll();
  await stores?.dispose();
});

describe('Redis stops and starts again under a running authgate', () => {
  const email = 'katherine.johnson@example.com';
  const newcomer = 'mae.jemison@example.com';

  it('fails closed for the denylist, open for rate limits (logged once), and recovers by itself', async () => {
    expect((await call('/api/v1/auth/register', { json: { email, password: PASSWORD } })).status).toBe(201);
    const kept = await login(email);
    const loggedOut = await login(email);
    expect((await logout(loggedOut.accessToken)).status).toBe(200);
    expect((await me(loggedOut.accessToken)).status).toBe(401);

    await stores.redis.stop();
    // Needs the denylist: refused with 503, the logged-out token included (never accepted because it can't be checked).
    expectUnavailable(await me(kept.accessToken));
    expectUnavailable(await me(loggedOut.accessToken));
    expectUnavailable(await logout(kept.accessToken));
    expectUnavailable(await refresh(kept.refreshToken));
    const readiness = await ready();
    expect(readiness.status).toBe(503);
    expect(readiness.body).toEqual({ status: 'unavailable', checks: { database: 'ok', keyValue: 'failed' } });
    // Rate-limited but not denylist-bound: a login works (the limit fails open), several times, one log line.
    const during = [await login(email), await login(email), await login(email)];
    // Registration needs no Redis (only its limit does): it is done whole, and signs in once Redis is back.
    expect((await call('/api/v1/auth/register', { json: { email: newcomer, password: PASSWORD } })).status).toBe(201);
    expectUnavailable(await me(during[0]!.accessToken));
    expect(logLines('rate limiter unavailable')).toBe(1);

    await stores.redis.start();
    await readyAgain();
    expect(server.running()).toBe(true);
    expect((await me(kept.accessToken)).status).toBe(200);
    expect((await me(during[2]!.accessToken)).status).toBe(200);
    // The revocation written before the outage survived it.
    expect((await me(loggedOut.accessToken)).status).toBe(401);
    expect((await me((await login(newcomer)).accessToken)).status).toBe(200);
    const rotated = await refresh(kept.refreshToken);
    expect(rotated.status).toBe(200);
    expect((await logout(kept.accessToken)).status).toBe(200);
    expect((await me(kept.accessToken)).status).toBe(401);
    expect(logLines('rate limiter unavailable')).toBe(1);
    expect(logLines('rate limiter available again')).toBe(1);
  }, STORY_MS);
});

describe('PostgreSQL stops and starts again under a running authgate', () => {
  const email = 'dorothy.vaughan@example.com';
  const lateEmail = 'mary.winston@example.com';

  it('answers 503 while it is down, leaves nothing half-done, and recovers by itself', async () => {
    expect((await call('/api/v1/auth/register', { json: { email, password: PASSWORD } })).status).toBe(201);
    const session = await login(email);

    await stores.postgres.stop();
    expectUnavailable(await me(session.accessToken));
    expectUnavailable(await call('/api/v1/auth/login', { json: { email, password: PASSWORD } }));
    expectUnavailable(await call('/api/v1/auth/register', { json: { email: lateEmail, password: PASSWORD } }));
    expectUnavailable(await refresh(session.refreshToken));
    // Logout revokes in the database first: refused with nothing done, so the same token can log out later.
    expectUnavailable(await logout(session.accessToken));
    const readiness = await ready();
    expect(readiness.status).toBe(503);
    expect(readiness.body).toEqual({ status: 'unavailable', checks: { database: 'failed', keyValue: 'ok' } });

    await stores.postgres.start();
    await readyAgain();
    expect(server.running()).toBe(true);
    // The refused logout did nothing: the token still works, and the retry of the same call logs out everywhere.
    expect((await me(session.accessToken)).status).toBe(200);
    expect((await logout(session.accessToken)).status).toBe(200);
    expect((await me(session.accessToken)).status).toBe(401);
    expect((await refresh(session.refreshToken)).status).toBe(401);
    // The refused registration wrote nothing: it can be retried, and the account then works.
    expect((await call('/api/v1/auth/register', { json: { email: lateEmail, password: PASSWORD } })).status).toBe(201);
    await login(lateEmail);
  }, STORY_MS);
});

describe('both outages', () => {
  it('never answered anything but 2xx, 4xx or 503, and never printed a stack trace', () => {
    expect(statuses.length).toBeGreaterThan(20);
    expect(statuses.filter((status) => status >= 500 && status !== 503)).toEqual([]);
    expect(server.stdout()).not.toContain('"msg":"unhandled error"');
  });
});
