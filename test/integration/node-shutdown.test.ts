// The Node entry under expensive Argon2id: hashing leaves the event loop free, and SIGTERM lets in-flight logins finish.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthgateFleet } from '../support/authgate-fleet';
import { startSmtpSink } from './mail.smtp-sink';
import { type AuthgateProcess, freePort, waitUntilHealthy } from '../support/authgate-process';

const PASSWORD = 'violet-harbour-lantern-42';
const EMAIL = 'grace.hopper@example.com';
const CONCURRENT_LOGINS = 6;
const MAX_HEALTH_POLLS = 2000;
const LOAD_CLIENTS = 32;

const fleet = await createAuthgateFleet('node-shutdown');
afterAll(() => fleet.stopAll());

async function startServer(name: string, settings: Record<string, string> = {}): Promise<AuthgateProcess> {
  const server = fleet.start({
    DATA_DIR: join(fleet.root, name),
    PORT: String(await freePort()),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    // About ten times the OWASP minimum, so every login spends long in Argon2id.
    ARGON2_MEMORY_KIB: '65536',
    ARGON2_ITERATIONS: '3',
    RATE_LIMIT_AUTH: '1000/60',
    // One fixed window far longer than the test: the global bucket's Remaining header counts requests exactly.
    RATE_LIMIT_GLOBAL: '1000000/1000000000',
    ...settings,
  });
  // The same generous ceiling as the other whole-process tests: a first PGlite start beside other suites on two
  // cores can take well over the 30 s it had here.
  await waitUntilHealthy(server, 60_000);
  const registered = await fetch(`${server.baseUrl}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
  });
  expect(registered.status).toBe(201);
  await registered.text();
  return server;
}

interface LoginAnswer {
  status: number;
  accessToken: unknown;
  connection: string | null;
  /** Why no answer came, when none did (the request was dropped). */
  failure?: string;
}

/** Never rejects: a dropped request is an answer with status 0, so a failing test shows it instead of an unhandled error. */
async function login(server: AuthgateProcess): Promise<LoginAnswer> {
  try {
    const response = await fetch(`${server.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
    });
    const body = (await response.json()) as { data?: { accessToken?: unknown } };
    return { status: response.status, accessToken: body.data?.accessToken, connection: response.headers.get('connection') };
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return { status: 0, accessToken: undefined, connection: null, failure: `${String(error)}${cause}` };
  }
}

/** GET /health; returns how many requests the global rate-limit bucket has left for this client. */
async function healthRemaining(server: AuthgateProcess): Promise<number> {
  const response = await fetch(`${server.baseUrl}/health`);
  expect(response.status).toBe(200);
  await response.text();
  return Number(response.headers.get('ratelimit-remaining'));
}

/**
 * Starts `count` logins and resolves once every one of them has passed the global rate limiter, i.e. has been read
 * and is being handled by the app (counted through /health's RateLimit-Remaining, which every request lowers by one).
 */
async function startLogins(server: AuthgateProcess, count: number) {
  const baseline = await healthRemaining(server);
  let outstanding = count;
  const answers = Array.from({ length: count }, () =>
    login(server).finally(() => {
      outstanding--;
    }),
  );
  for (let polls = 1; polls <= MAX_HEALTH_POLLS; polls++) {
    const admitted = baseline - (await healthRemaining(server)) - polls;
    if (admitted >= count) break;
  }
  expect(outstanding, 'a login was answered before all had been admitted: hashing blocked the event loop (or Argon2id is too cheap)').toBe(count);
  return { answers, outstanding: () => outstanding };
}

describe('the Node entry under expensive Argon2id (m=64 MiB, t=3)', () => {
  let server: AuthgateProcess;
  beforeAll(async () => {
    server = await startServer('event-loop');
  }, 90_000);

  it('answers /health while concurrent logins are still hashing', async () => {
    const logins = await startLogins(server, CONCURRENT_LOGINS);
    const events: ('health' | 'login')[] = [];
    const answers = logins.answers.map((answer) => answer.then((result) => (events.push('login'), result)));
    for (let polls = 0; polls < MAX_HEALTH_POLLS && logins.outstanding() > 0; polls++) {
      await healthRemaining(server);
      events.push('health');
    }
    for (const answer of await Promise.all(answers)) expect(answer.status, answer.failure).toBe(200);
    const healthBeforeFirstLogin = events.indexOf('login');
    console.info(`/health answers while ${CONCURRENT_LOGINS} logins were in flight, before the first login answer: ${healthBeforeFirstLogin}`);
    expect(healthBeforeFirstLogin).toBeGreaterThanOrEqual(1);
  });
});

describe('SIGTERM during expensive logins', () => {
  it('answers every in-flight login in full, refuses new connections meanwhile, then exits 0', async () => {
    const server = await startServer('shutdown');
    const { port } = new URL(server.baseUrl);
    const logins = await startLogins(server, CONCURRENT_LOGINS);
    let lastLoginAnswered = false;
    void Promise.all(logins.answers).then(() => (lastLoginAnswered = true));

    server.signal('SIGTERM');
    await server.waitForStdout(/SIGTERM received/, 10_000);
    let refusedWhileLoginsInFlight = false;
    for (let attempt = 0; attempt < 100 && !lastLoginAnswered; attempt++) {
      if ((await tryConnect(Number(port))) === 'refused') {
        refusedWhileLoginsInFlight = !lastLoginAnswered;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    for (const answer of await Promise.all(logins.answers)) {
      expect(answer.status, answer.failure).toBe(200);
      expect(answer.accessToken).toEqual(expect.any(String));
      // So keep-alive clients let go of their connections and the server is not held open after the last answer.
      expect(answer.connection).toBe('close');
    }
    expect(refusedWhileLoginsInFlight).toBe(true);
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.stdout()).toContain('authgate: stopped');
    expect(await tryConnect(Number(port))).toBe('refused');
  }, 90_000);
});

/**
 * Keeps every core busy at normal priority, as other processes on a shared machine do (CI runs other suites beside this
 * one): one busy loop per core, each ending by itself after `seconds` if stop() is never called.
 */
function burnCores(seconds: number): { stop(): void } {
  const loop = `const end = Date.now() + ${seconds * 1000}; let x = 0; while (Date.now() < end) for (let i = 0; i < 1e6; i++) x += Math.sqrt(i);`;
  const burners = Array.from({ length: availableParallelism() }, () => spawn(process.execPath, ['-e', loop], { stdio: 'ignore' }));
  return { stop: () => burners.forEach((burner) => burner.kill()) };
}

describe('SIGTERM under load', () => {
  it('answers every request the app had taken (cheap ones and expensive logins), then exits 0 within the grace period, with every core busy elsewhere too', async () => {
    // Every request the app handles is logged (info) with the X-Request-ID the client sent: the server's own record.
    const server = await startServer('load', { LOG_LEVEL: 'info' });
    const logins = await startLogins(server, CONCURRENT_LOGINS);
    const answers = new Map<string, number>();
    let sent = 0;
    let signalled = false;
    let answeredAfterSignal = 0;
    const worker = async () => {
      while (server.running()) {
        const id = `load-${++sent}`;
        try {
          const response = await fetch(`${server.baseUrl}/health`, { headers: { 'x-request-id': id } });
          await response.text();
          answers.set(id, response.status);
          if (signalled) answeredAfterSignal++;
        } catch {
          // Not taken (refused, or closed before it was read): the server's log must not name it either.
          answers.set(id, 0);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      }
    };
    const workers = Array.from({ length: LOAD_CLIENTS }, worker);
    while (answers.size < 20 * LOAD_CLIENTS) await new Promise((resolve) => setTimeout(resolve, 10));

    // Other processes want every core from here on: the logins still hashing must finish within the grace all the same.
    const burners = burnCores(30);
    server.signal('SIGTERM');
    signalled = true;
    const exited = await server.exited.finally(() => burners.stop());
    await Promise.all(workers);
    expect(exited).toEqual({ code: 0, signal: null });
    const stopped = /authgate: stopped, ([\d.]+) s after SIGTERM/.exec(server.stdout());
    expect(Number(stopped?.[1])).toBeLessThan(10);
    console.info(`stopped ${stopped?.[1]} s after SIGTERM, with every core busy elsewhere`);
    for (const answer of await Promise.all(logins.answers)) expect(answer.status, answer.failure).toBe(200);

    const handled = server
      .stdout()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg?: string; requestId?: string; status?: number })
      .filter((line) => line.msg === 'request' && line.requestId?.startsWith('load-'));
    const unanswered = handled.filter((line) => answers.get(line.requestId!) !== line.status);
    const dropped = [...answers.values()].filter((status) => status === 0).length;
    console.info(
      `${answers.size} requests from ${LOAD_CLIENTS} clients, ${handled.length} taken by the app (${answeredAfterSignal} answered after SIGTERM), ` +
        `${dropped} not taken; ${unanswered.length} taken but unanswered`,
    );
    expect(unanswered).toEqual([]);
    expect([...answers.values()].filter((status) => status !== 200 && status !== 0)).toEqual([]);
    expect(handled.length).toBe(answers.size - dropped);
    expect(answeredAfterSignal).toBeGreaterThan(0);
  }, 120_000);
});

describe('deferred mail at shutdown', () => {
  it('delivers the mail of requests answered just before SIGTERM, through a slow mail server, before the stores close', async () => {
    const sink = await startSmtpSink({ holdMs: 1500 });
    try {
      const server = await startServer('deferred-mail', { MAIL_TRANSPORT: 'smtp', SMTP_URL: `smtp://127.0.0.1:${sink.port}`, ARGON2_MEMORY_KIB: '64', ARGON2_ITERATIONS: '1' });
      const fresh = 'ada.deferred@example.com';
      const registered = await fetch(`${server.baseUrl}/api/v1/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: fresh, password: PASSWORD }),
      });
      // Forgot-password writes its reset token to the database after the response, then mails it.
      const forgot = await fetch(`${server.baseUrl}/api/v1/auth/forgot-password`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: EMAIL }),
      });
      expect([registered.status, forgot.status]).toEqual([201, 200]);
      await Promise.all([registered.text(), forgot.text()]);
      server.signal('SIGTERM');
      expect(await server.exited).toEqual({ code: 0, signal: null });
      expect(server.stderr()).toBe('');

      const verify = sink.messages.find((message) => message.to.includes(fresh));
      const reset = sink.messages.find((message) => message.to.includes(EMAIL) && /#reset-password=/.test(message.text ?? ''));
      expect(verify?.text).toMatch(/#verify-email=[A-Za-z0-9_-]{20,}/);
      const resetToken = /#reset-password=([A-Za-z0-9_-]{20,})/.exec(reset?.text ?? '')?.[1];
      expect(resetToken).toEqual(expect.any(String));

      // The reset token written after the response reached the database before it closed: it works after a restart.
      const again = fleet.start({ DATA_DIR: join(fleet.root, 'deferred-mail'), PORT: new URL(server.baseUrl).port, HOST: '127.0.0.1', LOG_LEVEL: 'warn', MAIL_TRANSPORT: 'dev' });
      await waitUntilHealthy(again, 60_000);
      const used = await fetch(`${again.baseUrl}/api/v1/auth/reset-password/${resetToken}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ password: 'another-long-passphrase-77' }),
      });
      expect(used.status).toBe(200);
      await used.text();
      again.signal('SIGTERM');
      expect(await again.exited).toEqual({ code: 0, signal: null });
    } finally {
      await sink.close();
    }
  }, 180_000);
});

/**
 * 'reset' is a connection the kernel had queued for the listening socket as it closed: not served, but not a clean
 * refusal either, so callers try again.
 */
function tryConnect(port: number): Promise<'connected' | 'refused' | 'reset'> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') resolve('refused');
      else if (error.code === 'ECONNRESET') resolve('reset');
      else reject(error);
    });
  });
}
