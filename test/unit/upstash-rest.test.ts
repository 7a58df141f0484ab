// The Upstash REST client against a stubbed fetch: what goes on the wire and how every kind of failure comes back.
// (kv.contract / kv.faults / kv.upstash-bridge in the integration project run it against the bridge on real Redis.)
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createUpstashRest, type UpstashRestOptions } from '../../src/adapters/kv/upstash-rest';

interface Sent {
  url: string;
  headers: Record<string, string>;
  body: unknown;
  keepalive: boolean | undefined;
  signal: AbortSignal | undefined;
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

/** Stubs fetch with `answer`, recording every request. */
function stubFetch(answer: (sent: Sent, n: number) => Response | Promise<Response>): Sent[] {
  const sent: Sent[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    const request: Sent = {
      url,
      headers: init.headers as Record<string, string>,
      body: JSON.parse(init.body as string),
      keepalive: init.keepalive,
      signal: init.signal ?? undefined,
    };
    sent.push(request);
    return answer(request, sent.length);
  });
  return sent;
}

/** One `{result}` per command, from `reply(command)`. */
const perCommand = (reply: (command: unknown[]) => unknown) => (sent: Sent) => json((sent.body as unknown[][]).map((c) => ({ result: reply(c) })));

const options: UpstashRestOptions = { url: 'https://eu1-example.upstash.io/', token: 'secret-token', timeoutMs: 3000, retries: 2, backoffMs: (n) => 50 * 2 ** n };

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('the Upstash REST client', () => {
  it('posts commands as JSON arrays to /pipeline with the bearer token, base64 replies and the sync token', async () => {
    const sent = stubFetch((_, n) => json([{ result: 'OK' }], 200, { 'upstash-sync-token': `sync-${n}` }));
    const rest = createUpstashRest(options);
    expect(await rest.command(['set', 'k', 'v', 'px', 60_000])).toBe('OK');
    await rest.command(['set', 'k', 'v']);
    expect(sent[0]).toMatchObject({
      url: 'https://eu1-example.upstash.io/pipeline',
      body: [['set', 'k', 'v', 'px', 60_000]],
      keepalive: true,
      headers: { authorization: 'Bearer secret-token', 'content-type': 'application/json', 'upstash-encoding': 'base64', 'upstash-sync-token': '' },
    });
    expect(sent[0]!.signal).toBeInstanceOf(AbortSignal);
    expect(sent[1]!.headers['upstash-sync-token']).toBe('sync-1');
  });

  it('sends the commands issued together in one request, reads apart from writes, each getting its own reply', async () => {
    const sent = stubFetch(perCommand((c) => (c[0] === 'get' ? b64(`value of ${String(c[1])}`) : c[0] === 'exists' ? 2 : 1)));
    const rest = createUpstashRest(options);
    const replies = await Promise.all([rest.command(['get', 'a']), rest.command(['del', 'x']), rest.command(['exists', 'b', 'c']), rest.command(['del', 'y'])]);
    expect(replies).toEqual(['value of a', 1, 2, 1]);
    expect(sent.map((s) => s.body)).toEqual([
      [['get', 'a'], ['exists', 'b', 'c']],
      [['del', 'x'], ['del', 'y']],
    ]);
  });

  it('decodes base64 strings (UTF-8 included, nested too) but a top-level OK, and keeps numbers and nil', async () => {
    const replies: Record<string, unknown> = { get: b64('héllo ✓'), set: 'OK', ping: b64('PONG'), del: 3, getdel: null, eval: [1, b64('a'), [b64('OK')]] };
    stubFetch(perCommand((c) => replies[c[0] as string]));
    const rest = createUpstashRest(options);
    expect(await rest.command(['get', 'k'])).toBe('héllo ✓');
    expect(await rest.command(['set', 'k', 'OK'])).toBe('OK');
    expect(await rest.command(['ping'])).toBe('PONG');
    expect(await rest.command(['del', 'k'])).toBe(3);
    expect(await rest.command(['getdel', 'k'])).toBeNull();
    expect(await rest.command(['eval', 'return 1', 0])).toEqual([1, 'a', ['OK']]);
  });

  it('rejects an {error} reply, only for its own command', async () => {
    stubFetch((sent) => json((sent.body as unknown[][]).map((c) => (c[1] === 'bad' ? { error: 'WRONGTYPE Operation against a key' } : { result: 1 }))));
    const rest = createUpstashRest(options);
    const [bad, good] = await Promise.allSettled([rest.command(['incr', 'bad']), rest.command(['incr', 'good'])]);
    expect(bad).toMatchObject({ status: 'rejected', reason: { name: 'UpstashError', message: 'Command failed: WRONGTYPE Operation against a key' } });
    expect(good).toEqual({ status: 'fulfilled', value: 1 });
  });

  it('rejects a non-2xx answer with its error, naming the commands but never their arguments', async () => {
    stubFetch(() => json({ error: 'Unauthorized' }, 401));
    const failure = createUpstashRest(options).command(['set', 'session:1', 'secret-value']);
    await expect(failure).rejects.toThrow('Unauthorized, command was: ["set"]');
    await expect(failure).rejects.not.toThrow(/secret-value|session:1/);
  });

  it('rejects a body that is not JSON, and a reply without one entry per command or without a result', async () => {
    stubFetch(() => new Response('<html>Bad gateway</html>', { status: 502 }));
    await expect(createUpstashRest(options).command(['ping'])).rejects.toThrow(/^Unable to parse response body: <html>Bad gateway/);
    stubFetch(() => json([]));
    await expect(createUpstashRest(options).command(['ping'])).rejects.toThrow(/not one entry per command/);
    stubFetch(() => json([{}]));
    await expect(createUpstashRest(options).command(['get', 'k'])).rejects.toThrow(/no result/);
  });

  it('retries a network error twice, 50 then 100 ms apart, and rejects with it when every attempt failed', async () => {
    vi.useFakeTimers();
    const times: number[] = [];
    const sent = stubFetch(() => {
      times.push(Date.now());
      throw new TypeError('fetch failed');
    });
    const failure = createUpstashRest(options).command(['ping']);
    const settled = expect(failure).rejects.toThrow('fetch failed');
    await vi.runAllTimersAsync();
    await settled;
    expect(sent).toHaveLength(3);
    expect(times.slice(1).map((t, i) => t - times[i]!)).toEqual([50, 100]);
    // One deadline for the request and its retries.
    expect(new Set(sent.map((s) => s.signal)).size).toBe(1);
  });

  it('succeeds on a retry after a network error', async () => {
    stubFetch((_, n) => (n === 1 ? Promise.reject(new TypeError('fetch failed')) : json([{ result: b64('PONG') }])));
    expect(await createUpstashRest({ ...options, backoffMs: () => 0 }).command(['ping'])).toBe('PONG');
  });

  it('gives up at the deadline without retrying', async () => {
    const sent = stubFetch(
      (request) =>
        new Promise<Response>((_, reject) => {
          request.signal!.addEventListener('abort', () => reject(request.signal!.reason));
        }),
    );
    const started = Date.now();
    await expect(createUpstashRest({ ...options, timeoutMs: 100 }).command(['get', 'k'])).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(sent).toHaveLength(1);
  });

  it('runs a transaction through /multi-exec, rejecting when one of its commands failed', async () => {
    const sent = stubFetch(() => json([{ result: 1 }, { result: 1 }]));
    const rest = createUpstashRest(options);
    expect(await rest.transaction([['incr', 'n'], ['pexpire', 'n', 5000, 'NX']])).toEqual([1, 1]);
    expect(sent[0]).toMatchObject({ url: 'https://eu1-example.upstash.io/multi-exec', body: [['incr', 'n'], ['pexpire', 'n', 5000, 'NX']] });
    stubFetch(() => json([{ result: 1 }, { error: 'ERR syntax error' }]));
    await expect(rest.transaction([['incr', 'n'], ['pexpire', 'n', 5000, 'XX']])).rejects.toThrow('Command 2 [ pexpire ] failed: ERR syntax error');
  });

  it('runs a script by EVALSHA of its SHA-1, falling back to EVAL on NOSCRIPT; other errors are not retried', async () => {
    const lua = 'return redis.call("INCR", KEYS[1])';
    const sha = createHash('sha1').update(lua).digest('hex');
    let loaded = false;
    const sent = stubFetch((request) => {
      const name = (request.body as string[][])[0]?.[0];
      if (name === 'eval') loaded = true;
      return json([name === 'evalsha' && !loaded ? { error: 'NOSCRIPT No matching script. Please use EVAL.' } : { result: 7 }]);
    });
    const run = createUpstashRest(options).script(lua);
    expect(await run(['counter'], ['1'])).toBe(7);
    expect(await run(['counter'], ['1'])).toBe(7);
    expect(sent.map((s) => s.body)).toEqual([[['evalsha', sha, 1, 'counter', '1']], [['eval', lua, 1, 'counter', '1']], [['evalsha', sha, 1, 'counter', '1']]]);

    const calls = stubFetch(() => json([{ error: 'ERR Error running script' }]));
    await expect(run(['counter'], ['1'])).rejects.toThrow('Command failed: ERR Error running script');
    expect(calls).toHaveLength(1);
  });

  it('refuses a URL that is not http(s)', () => {
    expect(() => createUpstashRest({ ...options, url: 'eu1-example.upstash.io' })).toThrow(/http\(s\) URL/);
  });
});
