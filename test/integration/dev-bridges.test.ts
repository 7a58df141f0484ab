// `npm run dev:bridges` as README "Running the Worker locally" runs it: in front of a PostgreSQL and a Redis it prints
// the .dev.vars lines of .dev.vars.example, and what they name answers the Workers build's own clients. SIGTERM stops it.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { neonHttp } from '../../src/adapters/db/neon-http';
import { createUpstashStore } from '../../src/adapters/kv/upstash';
import { createHttpMailer } from '../../src/adapters/mail/http';
import { type AuthgateProcess, freePort, repoRoot, spawnScript } from '../support/authgate-process';
import { startWatchdog } from '../support/watchdog';

const BRIDGED = ['DATABASE_URL', 'UPSTASH_REDIS_REST_URL', 'UPSTASH_REDIS_REST_TOKEN', 'MAIL_HTTP_URL', 'MAIL_HTTP_TOKEN'];

let bridges: AuthgateProcess;
let watchdog: { stop(): Promise<void> };
let printed: Record<string, string>;

/** KEY=value lines, comments and blank lines skipped. */
function dotenvLines(text: string): Record<string, string> {
  return Object.fromEntries([...text.matchAll(/^([A-Z_]+)=(.*)$/gm)].map((match) => [match[1]!, match[2]!]));
}

beforeAll(async () => {
  // Ports of its own: the defaults (4444, 8079, 8025) may be a developer's running bridges.
  bridges = spawnScript('scripts/dev-bridges.ts', {
    DATABASE_URL: inject('databaseUrl'),
    REDIS_URL: inject('redisUrl'),
    NEON_BRIDGE_PORT: String(await freePort()),
    UPSTASH_BRIDGE_PORT: String(await freePort()),
    MAIL_SINK_PORT: String(await freePort()),
  });
  watchdog = startWatchdog([{ kill: bridges.pid }], await mkdtemp(join(tmpdir(), 'authgate-dev-bridges-')));
  await bridges.waitForStdout(/ready; Ctrl-C stops the bridges/, 30_000);
  printed = dotenvLines(bridges.stdout());
});

afterAll(async () => {
  await bridges?.kill();
  await watchdog?.stop();
});

describe('npm run dev:bridges', () => {
  it('prints the bridged lines of .dev.vars.example, with its token and without the database password', async () => {
    expect(Object.keys(printed)).toEqual(BRIDGED);
    const example = dotenvLines(await readFile(join(repoRoot, '.dev.vars.example'), 'utf8'));
    // Equal but for the ports, and the database: the example's is `authgate`, this test's server has `postgres`.
    const shape = (value: string) => value.replace(/127\.0\.0\.1:\d+/, '127.0.0.1:PORT').replace(/\/postgres$/, '/authgate');
    for (const name of BRIDGED) expect(shape(printed[name]!), name).toBe(shape(example[name]!));
    expect(new URL(printed.DATABASE_URL!).password).toBe('');
  });

  it('reaches PostgreSQL through its DATABASE_URL with the Workers build Neon client', async () => {
    const { rows } = await neonHttp(printed.DATABASE_URL!).query('select current_database() as name, $1::int + 1 as answer', ['41']);
    expect(rows).toEqual([{ name: 'postgres', answer: 42 }]);
  });

  it('reaches Redis through its Upstash URL and token', async () => {
    const kv = createUpstashStore({ url: printed.UPSTASH_REDIS_REST_URL!, token: printed.UPSTASH_REDIS_REST_TOKEN!, prefix: `dev-bridges-${Date.now()}:` });
    try {
      await expect(kv.ping()).resolves.toBeUndefined();
    } finally {
      await kv.close();
    }
  });

  it('takes mail from the HTTP transport and shows it at /messages', async () => {
    const mailer = createHttpMailer({ url: printed.MAIL_HTTP_URL!, token: printed.MAIL_HTTP_TOKEN!, from: 'authgate <no-reply@localhost>' });
    await mailer.send({ to: 'ada@example.com', subject: 'Confirm your e-mail address', text: 'hello', html: '<p>hello</p>' });
    const messagesUrl = new URL('/messages?to=ada@example.com', printed.MAIL_HTTP_URL);
    const { messages } = (await (await fetch(messagesUrl)).json()) as { messages: { subject: string }[] };
    expect(messages.map((message) => message.subject)).toEqual(['Confirm your e-mail address']);
  });

  it('stops on SIGTERM, closing the bridges', async () => {
    bridges.signal('SIGTERM');
    expect(await bridges.exited).toEqual({ code: 0, signal: null });
    expect(bridges.stdout()).toMatch(/dev:bridges: stopped\n$/);
  });
});
