// vitest globalSetup of every project that needs the real servers. Several projects name this file, and vitest runs
// each project's globalSetup in the one main process, so the servers live in a reference-counted process-wide
// singleton: started once for the first project, stopped after the last project's teardown.
import type { ProvidedContext } from 'vitest';
import type { TestProject } from 'vitest/node';
import { missingServiceBinaries, type RunningService, startPostgres, startRedis } from './services';

type Provided = Pick<
  ProvidedContext,
  | 'databaseUrl'
  | 'redisUrl'
  | 'neonFetchEndpoint'
  | 'neonServerUrl'
  | 'upstashUrl'
  | 'upstashToken'
  | 'servicesMissing'
  | 'templateDatabase'
  | 'mailSinkUrl'
  | 'mailSinkMessagesUrl'
  | 'oidcIssuer'
  | 'oidcStandInIssuer'
  | 'socialStubUrl'
>;

interface SharedServices {
  ready: Promise<Provided>;
  stop: () => Promise<void>;
  users: number;
}

const SHARED = Symbol.for('authgate.test.services');
const registry = globalThis as { [SHARED]?: SharedServices };

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const missing = missingServiceBinaries();
  if (missing.length > 0) return reportMissing(project, missing);

  const shared = (registry[SHARED] ??= startShared());
  shared.users++;
  const provided = await shared.ready;
  for (const key of Object.keys(provided) as (keyof Provided)[]) project.provide(key, provided[key]);
  return async () => {
    shared.users--;
    if (shared.users > 0) return;
    delete registry[SHARED];
    await shared.stop();
  };
}

function startShared(): SharedServices {
  const stoppers: (() => Promise<void>)[] = [];
  const stop = async () => {
    // Bridges first (they hold connections to the servers), then the servers.
    for (const stopOne of stoppers.splice(0).reverse()) await stopOne().catch(() => {});
  };
  const ready = (async (): Promise<Provided> => {
    try {
      // allSettled: a server that did start is tracked (and so stopped) even when the other one failed.
      const started = await Promise.allSettled([track(startPostgres()), track(startRedis())]);
      const [postgres, redis] = started.map((result) => {
        if (result.status === 'rejected') throw result.reason;
        return result.value;
      }) as [RunningService, RunningService];
      const { startNeonBridge } = await import('../../scripts/bridges/neon');
      const { startUpstashBridge } = await import('../../scripts/bridges/upstash');
      const neon = await startNeonBridge({ postgresUrl: postgres.url });
      stoppers.push(() => Promise.resolve(neon.close()));
      const upstash = await startUpstashBridge({ redisUrl: redis.url });
      stoppers.push(() => Promise.resolve(upstash.close()));
      const templateDatabase = await createMigratedTemplate(postgres.url);
      const { startMailSink } = await import('../../scripts/bridges/mail-sink');
      const mailSink = await startMailSink();
      stoppers.push(() => mailSink.close());
      const { oidcIssuer, oidcStandInIssuer, socialStubUrl } = await startIdentityProviders(stoppers);
      return {
        oidcIssuer,
        oidcStandInIssuer,
        socialStubUrl,
        templateDatabase,
        mailSinkUrl: mailSink.url,
        mailSinkMessagesUrl: mailSink.messagesUrl,
        databaseUrl: postgres.url,
        redisUrl: redis.url,
        neonFetchEndpoint: neon.fetchEndpoint,
        neonServerUrl: neon.connectionStringFor('postgres'),
        upstashUrl: upstash.url,
        upstashToken: upstash.token,
        servicesMissing: null,
      };
    } catch (error) {
      await stop();
      throw error;
    }
  })();
  async function track(starting: Promise<RunningService>): Promise<RunningService> {
    const service = await starting;
    stoppers.push(() => service.stop());
    return service;
  }
  return { ready, stop, users: 0 };
}

/** The outside world of the OAuth suites: a real OpenID provider, a crafted-token stand-in, and Google/GitHub stand-ins. */
async function startIdentityProviders(stoppers: (() => Promise<void>)[]) {
  const { startOidcProvider } = await import('./oidc-provider');
  const { startOidcStandIn } = await import('./oidc-stand-in');
  const { startSocialStub } = await import('./social-stub');
  const servers = [await startOidcProvider(), await startOidcStandIn(), await startSocialStub()] as const;
  for (const server of servers) stoppers.push(() => server.close());
  return { oidcIssuer: servers[0].url, oidcStandInIssuer: servers[1].url, socialStubUrl: servers[2].url };
}

/**
 * A migrated database that suites clone with CREATE DATABASE ... TEMPLATE (workerd can't read the migration files
 * itself). Nobody stays connected to it, so concurrent clones don't trip over each other.
 */
async function createMigratedTemplate(serverUrl: string): Promise<string> {
  const { default: pg } = await import('pg');
  const { runPostgresMigrations } = await import('../../src/adapters/db/migrate');
  const name = 'authgate_template';
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
  try {
    await runPostgresMigrations(pool);
  } finally {
    await pool.end();
  }
  return name;
}

function reportMissing(project: TestProject, missing: string[]): () => Promise<void> {
  const suites = project.config.include.join(', ');
  const message =
    `[authgate] project "${project.name}" needs PostgreSQL and Redis, but ${missing.join(', ')} ` +
    `${missing.length > 1 ? 'are' : 'is'} not installed, so its suites (${suites}) cannot run.\n` +
    `Install them with:  apt-get install -y postgresql redis-server\n` +
    `or point the tests at running servers with TEST_DATABASE_URL and TEST_REDIS_URL.`;
  const rule = '!'.repeat(100);
  console.error(`\n${rule}\n${message}\n${rule}\n`);
  // CI must prove the whole suite; a machine without the servers is a broken CI machine, not a reason to skip.
  if (process.env.CI === 'true') throw new Error(message);
  project.provide('servicesMissing', message);
  return async () => {};
}
