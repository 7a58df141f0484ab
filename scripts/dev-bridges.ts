// `npm run dev:bridges`: `wrangler dev` against the PostgreSQL and Redis on this machine. Starts, on 127.0.0.1, the
// Neon-HTTP bridge (in front of DATABASE_URL), the Upstash-REST bridge (in front of REDIS_URL) and a sink for the HTTP
// mail transport, then prints the .dev.vars lines that point the Worker at them. The tests run the same bridges.
// Runs until Ctrl-C (or SIGTERM), then closes them.
import { startMailSink } from './bridges/mail-sink';
import { startNeonBridge } from './bridges/neon';
import { startUpstashBridge } from './bridges/upstash';

const log = (line: string) => console.log(`dev:bridges: ${line}`);

/** Fixed ports and tokens, so .dev.vars stays right across restarts. The bridges answer on loopback only. */
const DEFAULTS = { NEON_BRIDGE_PORT: '4444', UPSTASH_BRIDGE_PORT: '8079', MAIL_SINK_PORT: '8025', DEV_BRIDGES_TOKEN: 'local-dev-bridges' };

function setting(name: keyof typeof DEFAULTS): string {
  return process.env[name] || DEFAULTS[name];
}

function required(name: string, pattern: RegExp, example: string): URL {
  const value = process.env[name];
  if (!value || !pattern.test(value)) throw new Error(`${name} must name the local server, e.g. ${name}=${example}`);
  return new URL(value);
}

async function main(): Promise<void> {
  const postgres = required('DATABASE_URL', /^postgres(ql)?:\/\//, 'postgres://postgres@127.0.0.1:5432/authgate');
  const redis = required('REDIS_URL', /^rediss?:\/\//, 'redis://127.0.0.1:6379');
  const database = decodeURIComponent(postgres.pathname.slice(1)) || 'postgres';
  const token = setting('DEV_BRIDGES_TOKEN');

  const started: { close(): Promise<void> }[] = [];
  const stop = async () => {
    await Promise.allSettled(started.map((bridge) => bridge.close()));
  };
  try {
    const neon = await startNeonBridge({ postgresUrl: postgres.toString(), port: Number(setting('NEON_BRIDGE_PORT')) });
    started.push(neon);
    const upstash = await startUpstashBridge({ redisUrl: redis.toString(), token, port: Number(setting('UPSTASH_BRIDGE_PORT')) });
    started.push(upstash);
    const mail = await startMailSink({
      token,
      port: Number(setting('MAIL_SINK_PORT')),
      onMail: (message) => log(`mail to ${message.to}: "${message.subject}"`),
    });
    started.push(mail);

    // No password in DATABASE_URL: the bridge logs in to PostgreSQL with the one it was started with.
    const workerDatabaseUrl = new URL(neon.connectionStringFor(database));
    workerDatabaseUrl.password = '';
    log(`Neon HTTP ${neon.fetchEndpoint} → PostgreSQL ${postgres.host}/${database}`);
    log(`Upstash REST ${upstash.url} → Redis ${redis.host}`);
    log(`mail sink ${mail.url}; sent mail at ${mail.messagesUrl}?to=<e-mail>`);
    console.log(
      [
        '',
        '# .dev.vars: the Worker (`npm run dev:worker`) reaches the local servers through these bridges',
        `DATABASE_URL=${workerDatabaseUrl.toString()}`,
        `UPSTASH_REDIS_REST_URL=${upstash.url}`,
        `UPSTASH_REDIS_REST_TOKEN=${token}`,
        `MAIL_HTTP_URL=${mail.url}`,
        `MAIL_HTTP_TOKEN=${token}`,
        '',
      ].join('\n'),
    );
    log('ready; Ctrl-C stops the bridges');
  } catch (error) {
    await stop();
    throw error;
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await stop();
  log('stopped');
}

main().catch((error: unknown) => {
  log(`failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
