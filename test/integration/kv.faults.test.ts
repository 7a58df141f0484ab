// A key-value store that cannot reach its server must say so quickly (a rejected promise), never hang or queue:
// requests needing the denylist then fail closed and rate limiting fails open (SECURITY.md, "Faults").
import { randomUUID } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createRedisStore } from '../../src/adapters/kv/redis';
import { createUpstashStore } from '../../src/adapters/kv/upstash';
import type { KeyValueStore } from '../../src/core/ports';
import { createTestClock } from '../support/clock';
import { startUpstashBridge, type UpstashBridge } from '../../scripts/bridges/upstash';

// Each test's own time limit is the bound on "quickly": the stores give up after 2–3 s, so 10 s is ample.
const BOUND_MS = 10_000;

let redisUrl = '';
let bridge: { url: string; token: string };
let ownBridge: UpstashBridge | undefined;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  redisUrl = inject('redisUrl') || process.env.TEST_REDIS_URL || '';
  if (!redisUrl) throw new Error('no Redis: run with the integration project (globalSetup) or set TEST_REDIS_URL');
  const [url, token] = [inject('upstashUrl'), inject('upstashToken')];
  bridge = url && token ? { url, token } : (ownBridge = await startUpstashBridge({ redisUrl }));
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => {
  await ownBridge?.close();
});

/** A loopback TCP server that refuses connections once closed: a port where nothing listens. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Accepts connections and never answers. */
async function silentServer(): Promise<number> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return (server.address() as AddressInfo).port;
}

/** A TCP proxy to Redis that a test can take down (dropping every connection) and bring back on the same port. */
async function redisProxy() {
  const target = new URL(redisUrl);
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const stalled = new Set<Socket>();
  const up = async () => {
    server = createServer((client) => {
      const upstream = connect(Number(target.port), target.hostname);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('error', () => {});
        socket.on('close', () => sockets.delete(socket));
      }
      client.on('data', (chunk) => stalled.has(client) || upstream.write(chunk));
      upstream.on('data', (chunk) => client.write(chunk));
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server?.listen(port, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  };
  const down = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  };
  await up();
  cleanups.push(down);
  return {
    url: () => `redis://127.0.0.1:${port}`,
    up,
    down,
    /** The open connections stay up but pass nothing on any more (a half-dead link); new ones work. */
    stallOpenConnections: () => {
      for (const socket of sockets) stalled.add(socket);
    },
  };
}

async function openRedis(url: string): Promise<KeyValueStore> {
  const store = await createRedisStore({ url, prefix: `kvfault:${randomUUID()}:`, clock: createTestClock() });
  cleanups.push(() => store.close());
  return store;
}

describe('a Redis key-value store without its server', () => {
  it('refuses to open when nothing listens at the URL', { timeout: BOUND_MS }, async () => {
    await expect(createRedisStore({ url: `redis://127.0.0.1:${await closedPort()}`, clock: createTestClock() })).rejects.toThrow();
  });

  it('rejects commands while the connection is down, and serves again once the server is back', { timeout: BOUND_MS }, async () => {
    const proxy = await redisProxy();
    const store = await openRedis(proxy.url());
    await store.set('deny:jti', '1', 60);

    await proxy.down();
    await expect(store.existsAny(['deny:jti'])).rejects.toThrow();
    await expect(store.hitSlidingWindow('ip:1', 5, 60)).rejects.toThrow();

    await proxy.up();
    await vi.waitFor(() => store.ping(), { timeout: BOUND_MS / 2, interval: 100 });
    expect(await store.existsAny(['deny:jti'])).toBe(true);
  });

  it('rejects a command the server never answers, then replaces the dead connection', { timeout: 2 * BOUND_MS }, async () => {
    const proxy = await redisProxy();
    const store = await openRedis(proxy.url());
    await store.set('deny:jti', '1', 60);
    proxy.stallOpenConnections();
    await expect(store.existsAny(['deny:jti'])).rejects.toThrow(/did not answer/);

    await vi.waitFor(() => store.ping(), { timeout: BOUND_MS, interval: 200 });
    expect(await store.existsAny(['deny:jti'])).toBe(true);
  });
});

describe('an Upstash key-value store without its endpoint', () => {
  it('rejects when nothing listens at the URL', { timeout: BOUND_MS }, async () => {
    const store = createUpstashStore({ url: `http://127.0.0.1:${await closedPort()}`, token: 'x' });
    await expect(store.existsAny(['deny:jti'])).rejects.toThrow();
    await expect(store.hitSlidingWindow('ip:1', 5, 60)).rejects.toThrow();
  });

  it('rejects when the endpoint never answers', { timeout: BOUND_MS }, async () => {
    const store = createUpstashStore({ url: `http://127.0.0.1:${await silentServer()}`, token: 'x' });
    await expect(store.get('deny:jti')).rejects.toThrow();
  });

  it('rejects when the token is wrong', { timeout: BOUND_MS }, async () => {
    const store = createUpstashStore({ url: bridge.url, token: `${bridge.token}-wrong` });
    await expect(store.ping()).rejects.toThrow(/Unauthorized/);
  });
});
