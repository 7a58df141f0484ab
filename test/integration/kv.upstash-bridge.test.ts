// The Upstash REST bridge stands in for Upstash in every test of the Upstash store, so its wire protocol is
// pinned here at the HTTP level: what @upstash/redis sends and what it expects back.
import { createHash, randomUUID } from 'node:crypto';
import { Ratelimit } from '@upstash/ratelimit';
import { Redis } from '@upstash/redis/cloudflare';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startUpstashBridge, type UpstashBridge } from '../../scripts/bridges/upstash';

let bridge: UpstashBridge;
const key = (name: string) => `kvbridge:${randomUUID()}:${name}`;

beforeAll(async () => {
  const redisUrl = inject('redisUrl') || process.env.TEST_REDIS_URL || '';
  if (!redisUrl) throw new Error('no Redis: run with the integration project (globalSetup) or set TEST_REDIS_URL');
  bridge = await startUpstashBridge({ redisUrl, token: 'bridge-test-token' });
});
afterAll(async () => {
  await bridge?.close();
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(bridge.url + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${bridge.token}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

describe('the Upstash REST bridge', () => {
  it('uses the token it was given and refuses requests without it', async () => {
    expect(bridge.token).toBe('bridge-test-token');
    const missing = await fetch(bridge.url, { method: 'POST', body: JSON.stringify(['PING']) });
    expect(missing.status).toBe(401);
    const wrong = await fetch(bridge.url, { method: 'POST', headers: { authorization: 'Bearer nope' }, body: '["PING"]' });
    expect(wrong.status).toBe(401);
  });

  it('runs one command from a JSON array, numbers included, and answers {result}', async () => {
    const name = key('n');
    expect(await post('/', ['set', name, 'ünï', 'px', 60_000])).toEqual({ status: 200, body: { result: 'OK' } });
    expect(await post('/', ['get', name])).toEqual({ status: 200, body: { result: 'ünï' } });
    expect(await post('/', ['incrby', key('c'), 5])).toEqual({ status: 200, body: { result: 5 } });
  });

  it('base64-encodes every string but a top-level OK when asked to, nested ones too', async () => {
    const encoded = { 'upstash-encoding': 'base64' };
    const name = key('b');
    expect((await post('/', ['set', name, 'héllo'], encoded)).body).toEqual({ result: 'OK' });
    expect((await post('/', ['get', name], encoded)).body).toEqual({ result: base64('héllo') });
    expect((await post('/', ['ping'], encoded)).body).toEqual({ result: base64('PONG') });
    const nested = await post('/', ['eval', 'return {1, "a", {"OK"}}', 0], encoded);
    expect(nested.body).toEqual({ result: [1, base64('a'), [base64('OK')]] });
  });

  it('answers a failing command with {error} and status 400', async () => {
    const name = key('s');
    await post('/', ['set', name, 'text']);
    const failed = await post('/', ['incr', name]);
    expect(failed.status).toBe(400);
    expect(failed.body).toEqual({ error: expect.stringMatching(/not an integer/) });
  });

  it('runs a pipeline in order, one reply per command, a failure staying with its command', async () => {
    const name = key('p');
    const { status, body } = await post('/pipeline', [['set', name, 'text'], ['incr', name], ['get', name]]);
    expect(status).toBe(200);
    expect(body).toEqual([{ result: 'OK' }, { error: expect.stringMatching(/not an integer/) }, { result: 'text' }]);
  });

  it('runs /multi-exec as one MULTI/EXEC transaction', async () => {
    const name = key('m');
    const { status, body } = await post('/multi-exec', [['incr', name], ['incr', name], ['pexpire', name, 60_000, 'NX']]);
    expect(status).toBe(200);
    expect(body).toEqual([{ result: 1 }, { result: 2 }, { result: 1 }]);
  });

  it('runs scripts carrying the Upstash-only allow-key-locking shebang, by EVAL and then by their original SHA1', async () => {
    const script = '#!lua flags=allow-key-locking\nreturn redis.call("INCR", KEYS[1])';
    const counter = key('lua');
    expect((await post('/', ['evalsha', sha1(script), 1, counter])).body).toEqual({ error: expect.stringMatching(/^NOSCRIPT/) });
    expect((await post('/', ['eval', script, 1, counter])).body).toEqual({ result: 1 });
    expect((await post('/', ['evalsha', sha1(script), 1, counter])).body).toEqual({ result: 2 });
  });

  it('answers SCRIPT LOAD with the SHA1 of the script as sent', async () => {
    const script = `#!lua flags=allow-key-locking\nreturn "${randomUUID()}"`;
    expect((await post('/', ['script', 'load', script])).body).toEqual({ result: sha1(script) });
    expect((await post('/', ['script', 'exists', sha1(script)])).body).toEqual({ result: [1] });
  });

  it('serves @upstash/ratelimit, whose scripts Redis OSS would refuse as they are', async () => {
    const redis = new Redis({ url: bridge.url, token: bridge.token, enableTelemetry: false });
    const limiter = new Ratelimit({ redis, limiter: Ratelimit.slidingWindow(2, '60 s'), prefix: key('rl'), ephemeralCache: false });
    const results = [await limiter.limit('ip'), await limiter.limit('ip'), await limiter.limit('ip')];
    expect(results.map((r) => r.success)).toEqual([true, true, false]);
  });
});
