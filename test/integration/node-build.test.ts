// The production build: `npm run build:node` bundles the Node entry into dist/node/server.mjs, which plain `node`
// runs (no tsx, no --import), as the Dockerfile's final stage does. No Docker engine here, so the Dockerfile itself
// is checked by reading it (see the last describe).
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { callAuthgate as call, createAuthgateFleet } from '../support/authgate-fleet';
import { freePort, repoRoot, waitUntilHealthy } from '../support/authgate-process';
import { createFreshDatabase, type FreshDatabase } from '../support/db-targets';
import { commandEnv, runCommand } from '../support/run-command';

const HEALTHY_WITHIN_MS = 60_000;
const PASSWORD = 'violet-harbour-lantern-42';
const BUNDLE = ['--enable-source-maps', 'dist/node/server.mjs'];
// Debian's Node 20 on CI's machine: no node:crypto.argon2 there, so passwords go through the copied worker thread.
const OLDER_NODE = '/usr/bin/node';
const olderNode = existsSync(OLDER_NODE) && /^v(20|22)\./.test(execFileSync(OLDER_NODE, ['--version'], { encoding: 'utf8' }));

const fleet = await createAuthgateFleet('node-build');
afterAll(() => fleet.stopAll());

beforeAll(async () => {
  await runCommand('npm', ['run', 'build:node'], { cwd: repoRoot, timeoutMs: 60_000, env: commandEnv() });
}, 90_000);

async function registerAndLogin(node: string | undefined, email: string) {
  const port = await freePort();
  const settings = { DATA_DIR: join(fleet.root, email), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ARGON2_MEMORY_KIB: '64', ARGON2_ITERATIONS: '1' };
  const server = fleet.start(settings, { args: BUNDLE, ...(node ? { node } : {}) });
  await waitUntilHealthy(server, HEALTHY_WITHIN_MS);
  // Ready means migrated: the bundle found migrations/ from dist/node/ and applied them to the fresh PGlite.
  expect((await call(server, '/health/ready')).status).toBe(200);
  expect((await call(server, '/api/v1/auth/register', { method: 'POST', json: { email, password: PASSWORD, name: 'Grace' } })).status).toBe(201);
  const loggedIn = await call(server, '/api/v1/auth/login', { method: 'POST', json: { email, password: PASSWORD } });
  expect(loggedIn.status).toBe(200);
  expect((await call(server, '/api/v1/users/me', { token: loggedIn.body.data.accessToken })).body.data.user.email).toBe(email);
  server.signal('SIGTERM');
  expect(await server.exited).toEqual({ code: 0, signal: null });
  return server;
}

describe('node dist/node/server.mjs (the compiled bundle, no TypeScript loader)', () => {
  it('migrates a fresh DATA_DIR at start-up, answers /health and serves register → login → /users/me', async () => {
    const server = await registerAndLogin(undefined, 'grace.hopper@example.com');
    expect(server.stdout()).toMatch(/database: pglite/);
  });

  it.skipIf(!olderNode && process.env.CI !== 'true')('hashes passwords in its Argon2 worker thread on an older Node LTS', async () => {
    const server = await registerAndLogin(OLDER_NODE, 'grace.worker@example.com');
    expect(server.stdout()).toMatch(/passwords: hash-wasm/);
  });

  it('exits 1 with one line on stderr for a bad setting', async () => {
    const server = fleet.start({ DATA_DIR: join(fleet.root, 'bad'), PORT: 'abc' }, { args: BUNDLE });
    expect(await server.exited).toEqual({ code: 1, signal: null });
    expect(server.stderr().trimEnd().split('\n')).toEqual([expect.stringMatching(/^authgate: setting PORT .*"abc"$/)]);
  });
});

describe('the Kubernetes shape: the migration Job, then two replicas on one PostgreSQL and one Redis', () => {
  let database: FreshDatabase;
  beforeAll(async () => {
    database = await createFreshDatabase();
  });
  afterAll(() => database?.drop());

  const migrate = () =>
    runCommand(process.execPath, ['dist/node/migrate.mjs'], { cwd: repoRoot, timeoutMs: 60_000, env: commandEnv({ DATABASE_URL: database.url }) });

  it("node dist/node/migrate.mjs (the Job's command) applies every migration once, then finds nothing to do", async () => {
    const first = await migrate();
    expect(first.stdout).toMatch(/applied [1-9]\d* new migration\(s\)/);
    expect((await migrate()).stdout).toMatch(/applied 0 new migration\(s\)/);
  });

  it('node dist/node/admin.mjs (the operator CLI in the image) creates a SUPER_ADMIN and says in one line what it cannot do', async () => {
    const env = commandEnv({ DATABASE_URL: database.url, REDIS_URL: inject('redisUrl'), ARGON2_MEMORY_KIB: '64', ARGON2_ITERATIONS: '1' });
    const admin = (args: string[], input = '') => runCommand(process.execPath, ['dist/node/admin.mjs', ...args], { cwd: repoRoot, timeoutMs: 60_000, env, input });
    expect((await admin(['create-admin', '--email', 'root.bundle@example.com'], `${PASSWORD}\n`)).stdout).toMatch(/^created SUPER_ADMIN root\.bundle@example\.com/);
    await expect(admin(['unlock', 'nobody@example.com'])).rejects.toThrow(/authgate admin: no user with e-mail nobody@example\.com/);
  });

  it('replicas with the same keys share users, sessions and the denylist: any replica answers any request', async () => {
    // As the Deployment gives every replica: the same public URL (the tokens' issuer, which defaults to APP_URL),
    // and from the Secret the same signing key and MFA key.
    const shared = {
      APP_URL: 'https://auth.example.com',
      DATABASE_URL: database.url,
      REDIS_URL: inject('redisUrl'),
      JWT_PRIVATE_KEY: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      MFA_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      // The test Redis and 127.0.0.1 are shared with other suites: their per-IP auth limits must not meet here.
      RATE_LIMIT_AUTH: '1000/60',
      ARGON2_MEMORY_KIB: '64',
      ARGON2_ITERATIONS: '1',
    };
    const [a, b] = await Promise.all([freePort(), freePort()]);
    const replicas = [fleet.start({ ...shared, PORT: String(a) }, { args: BUNDLE }), fleet.start({ ...shared, PORT: String(b) }, { args: BUNDLE })];
    await Promise.all(replicas.map((replica) => waitUntilHealthy(replica, HEALTHY_WITHIN_MS)));
    const [one, two] = replicas as [(typeof replicas)[0], (typeof replicas)[0]];
    for (const replica of replicas) expect(replica.stdout()).toContain('key-value: redis (REDIS_URL)');

    const email = 'grace.replicas@example.com';
    expect((await call(one, '/api/v1/auth/register', { method: 'POST', json: { email, password: PASSWORD, name: 'Grace' } })).status).toBe(201);
    const loggedIn = await call(two, '/api/v1/auth/login', { method: 'POST', json: { email, password: PASSWORD } });
    expect(loggedIn.status).toBe(200);
    const token = loggedIn.body.data.accessToken as string;
    expect((await call(one, '/api/v1/users/me', { token })).status).toBe(200);
    expect((await call(one, '/api/v1/auth/logout', { method: 'POST', token })).status).toBe(200);
    expect((await call(two, '/api/v1/users/me', { token })).status).toBe(401);

    for (const replica of replicas) replica.signal('SIGTERM');
    expect(await Promise.all(replicas.map((replica) => replica.exited))).toEqual([{ code: 0, signal: null }, { code: 0, signal: null }]);
  });
});

interface Stage {
  from: string;
  instructions: { keyword: string; args: string }[];
}

/** The Dockerfile's stages: continuation lines joined, comments dropped. */
function dockerStages(text: string): Stage[] {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (keyword.toUpperCase() === 'FROM') stages.push({ from: args, instructions: [] });
    else stages.at(-1)?.instructions.push({ keyword: keyword.toUpperCase(), args });
  }
  return stages;
}

describe('the Dockerfile (read, not built: there is no Docker engine here)', () => {
  const stages = dockerStages(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
  const final = stages.at(-1)!;
  const last = (keyword: string) => final.instructions.filter((instruction) => instruction.keyword === keyword).at(-1);

  it('has several stages on node:24-bookworm-slim and installs production dependencies with npm ci --omit=dev', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage.from).toMatch(/^node:24-bookworm-slim\b/);
    const runs = stages.flatMap((stage) => stage.instructions.filter((instruction) => instruction.keyword === 'RUN'));
    expect(runs.some((run) => /npm ci\b.*--omit=dev/.test(run.args))).toBe(true);
    expect(final.instructions.some((instruction) => instruction.keyword === 'COPY' && /--from=build .*dist\/node/.test(instruction.args))).toBe(true);
  });

  it('runs the compiled bundle with node in exec form, without a TypeScript loader', () => {
    const cmd = JSON.parse(last('CMD')!.args) as string[];
    expect(cmd[0]).toBe('node');
    expect(cmd.at(-1)).toBe('dist/node/server.mjs');
    expect(cmd.join(' ')).not.toMatch(/tsx|--import/);
    expect(last('ENTRYPOINT')).toBeUndefined();
  });

  it('runs as a user other than root', () => {
    expect(last('USER')?.args).toBeDefined();
    expect(last('USER')!.args).not.toMatch(/^(root|0)(:|$)/);
  });

  it('has a HEALTHCHECK that asks /health', () => {
    expect(last('HEALTHCHECK')?.args).toMatch(/\/health\b/);
  });
});
