// The Argon2id engine Node 20 and 22 use (no node:crypto.argon2 before 24.7): hash-wasm in worker threads.
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { eventLoopBusy } from '../../src/adapters/event-loop-busy';
import { ARGON2_THREAD_NICE, createArgon2WorkerPool } from '../../src/adapters/password/argon2-worker-pool';
import { createArgon2idHasher } from '../../src/adapters/password/argon2id-hasher';
import { nativeArgon2idEngine, nodeArgon2idEngine } from '../../src/adapters/password/node';
import type { Argon2Params } from '../../src/adapters/password/phc';
import { createWasmPasswordHasher } from '../../src/adapters/password/wasm';

const current: Argon2Params = { memoryKib: 19456, iterations: 2, parallelism: 1 };
const password = 'violet-harbour-lantern-42';

const pool = createArgon2WorkerPool(2);
afterAll(() => pool.close());
const onWorkers = (params: Argon2Params) => createArgon2idHasher(params, nodeArgon2idEngine(pool.derive));

describe('whether the event loop is busy serving', () => {
  it('says so after a window spent mostly running, and not after one spent waiting', async () => {
    const busy = eventLoopBusy(0.5, 50);
    const until = performance.now() + 80;
    while (performance.now() < until) {
      // Keeps the event loop running, as a burst of requests does.
    }
    expect(busy()).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(busy()).toBe(false);
  });
});

describe('hash-wasm in worker threads', () => {
  const hasher = onWorkers(current);

  it('makes PHC strings that node:crypto.argon2 verifies, and verifies the ones node:crypto makes', async (context) => {
    if (!nativeArgon2idEngine) {
      console.warn(`skipped: Node ${process.version} has no node:crypto.argon2 to cross-check with`);
      return context.skip();
    }
    const native = createArgon2idHasher(current, nativeArgon2idEngine);
    const fromWorker = await hasher.hash(password);
    expect(fromWorker).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await native.verify(fromWorker, password)).toBe(true);
    expect(await native.verify(fromWorker, `${password}!`)).toBe(false);
    const fromNative = await native.hash(password);
    expect(await hasher.verify(fromNative, password)).toBe(true);
    expect(await hasher.verify(fromNative, `${password}!`)).toBe(false);
  });

  it('agrees with in-thread hash-wasm (the Workers engine) both ways', async () => {
    const wasm = createWasmPasswordHasher(current);
    expect(await wasm.verify(await hasher.hash(password), password)).toBe(true);
    expect(await hasher.verify(await wasm.hash(password), password)).toBe(true);
  });

  it('serves concurrent derivations beyond its thread count, each with its own result', async () => {
    const passwords = Array.from({ length: 5 }, (_, i) => `${password}-${i}`);
    const phcs = await Promise.all(passwords.map((p) => hasher.hash(p)));
    const verdicts = await Promise.all(phcs.map((phc, i) => Promise.all([hasher.verify(phc, passwords[i]!), hasher.verify(phc, passwords[(i + 1) % 5]!)])));
    expect(verdicts).toEqual(passwords.map(() => [true, false]));
  });

  it('rejects a derivation hash-wasm refuses, and the next one still succeeds', async () => {
    const salt = new Uint8Array(16);
    await expect(pool.derive(password, salt, { memoryKib: 1, iterations: 1, parallelism: 1 }, 32)).rejects.toThrow(/argon2id failed/);
    expect(await pool.derive(password, salt, { memoryKib: 8, iterations: 1, parallelism: 1 }, 32)).toHaveLength(32);
  });

  /**
   * A two-thread pool whose event loop reads busy until `scenario` calls `idle()`, with three derivations queued while
   * it is busy (so one runs at once); closed afterwards.
   */
  async function onBusyPool(
    busyRest: number,
    scenario: (pool: ReturnType<typeof createArgon2WorkerPool>, jobs: Promise<Uint8Array>[], idle: () => void) => Promise<void>,
  ): Promise<void> {
    let serving = true;
    const shared = createArgon2WorkerPool({ threads: 2, busy: () => serving, busyRest });
    try {
      const jobs = Array.from({ length: 3 }, (_, i) => shared.derive(`${password}-${i}`, salt, current, 32));
      expect(shared.running()).toBe(1);
      await scenario(shared, jobs, () => (serving = false));
    } finally {
      await shared.close();
    }
  }
  const salt = new Uint8Array(16);

  it('hashes on one thread fewer while the event loop is busy serving, and on all of them again once it is not', () =>
    onBusyPool(0, async (shared, jobs, idle) => {
      await jobs[0];
      expect(shared.running()).toBe(1);
      idle();
      await jobs[1];
      const more = [jobs[2]!, shared.derive(password, salt, current, 32), shared.derive(password, salt, current, 32)];
      expect(shared.running()).toBe(2);
      for (const hash of await Promise.all(more)) expect(hash).toHaveLength(32);
      expect(shared.running()).toBe(0);
    }));

  it('while the event loop is busy, a thread rests after each derivation before it takes the next; not once it is idle', () =>
    onBusyPool(0.5, async (shared, jobs, idle) => {
      await jobs[0];
      // Two derivations wait and a thread is free, yet none runs: the one that finished rests in the one place a
      // busy loop leaves to hashing.
      expect(shared.running()).toBe(0);
      await vi.waitUntil(() => shared.running() === 1, { timeout: 5_000, interval: 1 });
      idle();
      await jobs[1];
      // Not busy any more: the queue is taken at once, on every thread.
      expect(shared.running()).toBe(1);
      const more = [jobs[2]!, shared.derive(password, salt, current, 32)];
      expect(shared.running()).toBe(2);
      for (const hash of await Promise.all(more)) expect(hash).toHaveLength(32);
    }));

  it('once hurried (a shutdown), hashes on new threads beside the one still running, on all of them, even while busy', () =>
    onBusyPool(0.5, async (shared, jobs) => {
      shared.hurry();
      // The derivation already running goes on at the low priority; it also starts again on a new thread, and the
      // first waiting one on another, both at once: the loop reads busy, but no thread is held back any more.
      expect(shared.running()).toBe(3);
      for (const hash of await Promise.all(jobs)) expect(hash).toHaveLength(32);
      // (Of the derivation that ran twice, the copy that lost may still be running.)
      await vi.waitUntil(() => shared.running() === 0, { timeout: 5_000, interval: 1 });
      // No rest after a derivation any more, and never one thread fewer, though the loop still reads busy.
      const more = [shared.derive(password, salt, current, 32), shared.derive(password, salt, current, 32)];
      expect(shared.running()).toBe(2);
      for (const hash of await Promise.all(more)) expect(hash).toHaveLength(32);
    }));

  it('refuses work once closed', async () => {
    const closing = createArgon2WorkerPool(1);
    await closing.close();
    await expect(closing.derive(password, new Uint8Array(16), current, 32)).rejects.toThrow(/closed/);
  });
});

/**
 * Sends `wanted` requests one after another to an HTTP server on this thread while `hashing` runs; returns how many
 * were answered before it finished. Only an event loop that keeps turning during the hash answers them all.
 */
async function requestsAnsweredWhileHashing(start: () => Promise<unknown>, wanted: number): Promise<number> {
  const server = createServer((_request, response) => response.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  let finished = false;
  const hashing = start().finally(() => (finished = true));
  let answered = 0;
  while (!finished && answered < wanted) {
    await (await fetch(url)).text();
    if (!finished) answered += 1;
  }
  await hashing;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  return answered;
}

describe('the event loop while a password hashes', () => {
  // Heavy enough (64 MiB, 2 passes) that a hash outlasts a handful of loopback round trips by a wide margin.
  const heavy: Argon2Params = { memoryKib: 65536, iterations: 2, parallelism: 1 };
  const wanted = 10;

  it('keeps answering requests while a worker thread hashes', async () => {
    expect(await requestsAnsweredWhileHashing(() => onWorkers(heavy).hash(password), wanted)).toBe(wanted);
  });

  it('(control) does not while hash-wasm hashes on this thread, so the measure above can fail', async () => {
    const inThread = createWasmPasswordHasher(heavy);
    await createWasmPasswordHasher({ memoryKib: 8, iterations: 1, parallelism: 1 }).hash('warm-up'); // WASM compiled
    expect(await requestsAnsweredWhileHashing(() => inThread.hash(password), wanted)).toBeLessThan(wanted);
  });
});

/** Each thread of this process and its nice value (Linux: /proc/self/task/<tid>/stat, field 19). */
function threadNiceness(): Map<string, number> {
  const nices = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    nices.set(tid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
  }
  return nices;
}

// Node 24.7+ hashes with node:crypto in these threads; the pool is registered only where that engine exists.
if (nativeArgon2idEngine) {
  const engine = nativeArgon2idEngine;
  describe('node:crypto.argon2 in worker threads (the Node 24 engine)', () => {
    const nativePool = createArgon2WorkerPool({ threads: 2, engine: 'native' });
    afterAll(() => nativePool.close());

    it('derives exactly what node:crypto.argon2 derives on the thread pool', async () => {
      const salt = new Uint8Array(16).fill(7);
      expect(await nativePool.derive(password, salt, current, 32)).toEqual(await engine.derive(password, salt, current, 32));
      const hasher = createArgon2idHasher(current, nodeArgon2idEngine(nativePool.derive));
      expect(await createArgon2idHasher(current, engine).verify(await hasher.hash(password), password)).toBe(true);
    });

    it('once hurried, ends its low-priority threads and hashes on threads at the process\'s own priority', async () => {
      const atLowPriority = () => [...threadNiceness().values()].filter((nice) => nice === ARGON2_THREAD_NICE).length;
      const own = threadNiceness().get(String(process.pid));
      const hurried = createArgon2WorkerPool({ threads: 1, engine: 'native' });
      try {
        // First, so that libuv's own threads (node:crypto.argon2 runs there) exist before threads are counted.
        const reference = await engine.derive(password, new Uint8Array(16), current, 32);
        const before = atLowPriority();
        await hurried.derive(password, new Uint8Array(16), current, 32);
        expect(atLowPriority()).toBe(before + 1);
        hurried.hurry();
        // Its idle thread ends; the next derivation gets a new thread, which stays at the event loop's priority.
        await vi.waitUntil(() => atLowPriority() === before, { timeout: 5_000, interval: 5 });
        const threads = threadNiceness().size;
        expect(await hurried.derive(password, new Uint8Array(16), current, 32)).toEqual(reference);
        expect(threadNiceness().size).toBeGreaterThan(threads);
        expect(atLowPriority()).toBe(before);
        expect(threadNiceness().get(String(process.pid))).toBe(own);
      } finally {
        await hurried.close();
      }
    });

    it('hashes at a lower priority than the event loop thread (nice 10 against 0)', async () => {
      await nativePool.derive(password, new Uint8Array(16), current, 32);
      const nices = threadNiceness();
      expect(nices.get(String(process.pid))).toBeLessThan(ARGON2_THREAD_NICE);
      expect([...nices.values()].filter((nice) => nice === ARGON2_THREAD_NICE).length).toBeGreaterThanOrEqual(1);
    });
  });
}
