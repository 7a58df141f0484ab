import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { eventLoopBusy } from '../event-loop-busy';
import type { Argon2Params } from './phc';
import { hashWasmArgon2idOptions } from './wasm';

// The Argon2id engine for Node before 24.7, which has no node:crypto.argon2: hash-wasm, but in worker threads, so a
// login that spends tens of milliseconds hashing never stalls the event loop (hash-wasm computes synchronously on
// the thread that calls it). The same hash-wasm runs on Workers, so the PHC strings are the same as everywhere.

const WORKER_URL = new URL('./argon2-worker.mjs', import.meta.url);

type Reply = { hash: Uint8Array } | { error: string };

interface Job {
  options: ReturnType<typeof hashWasmArgon2idOptions>;
  resolve(hash: Uint8Array): void;
  reject(error: Error): void;
}

interface Slot {
  run(job: Job): void;
  /** Ends the thread (hurry(): one at the lowered priority). */
  retire(): void;
  /** The derivation it is running, if any. */
  current(): Job | undefined;
}

export interface Argon2WorkerPool {
  derive(password: string, salt: Uint8Array, params: Argon2Params, tagBytes: number): Promise<Uint8Array>;
  /** How many derivations are running now (the rest wait in the queue). */
  running(): number;
  /**
   * For a shutdown, whose grace period the waiting logins must fit in: from now on every derivation runs at the
   * process's own priority, on every thread, without rests. Under outside CPU load a thread at niceness 10 gets about
   * a tenth of a core, so six 64-MiB logins queued at a SIGTERM outlasted the 10-s grace. The low-priority threads
   * end (an unprivileged thread cannot raise its priority again); one still running a derivation finishes it, while
   * the same derivation also runs first on a new thread, and whichever ends first answers.
   */
  hurry(): void;
  /** Ends the threads; derivations still waiting are refused. */
  close(): Promise<void>;
}

/** As many threads as node:crypto.argon2 would use of libuv's pool (4), but no more than there are cores. */
export const defaultArgon2Threads = () => Math.max(1, Math.min(4, availableParallelism()));

/**
 * The niceness of the hashing threads (Linux: per thread; 0 is normal, 19 the lowest priority). At 10 a hashing thread
 * weighs about a tenth of the event loop thread when both want a core, so session checks keep their latency while
 * logins hash, and hashing still takes every core nobody else wants. Not 19: at about 1/70 a login could wait seconds
 * for its derivation while cheap requests keep both cores busy (a shutdown under load outlasted its 10-s grace period
 * in CI); `busy` below protects the event loop instead, by taking a thread away rather than starving them all.
 */
export const ARGON2_THREAD_NICE = 10;

export interface Argon2WorkerPoolOptions {
  threads?: number;
  /** 'native': node:crypto.argon2Sync (Node 24.7+); 'wasm' (default): hash-wasm. */
  engine?: 'native' | 'wasm';
  nice?: number;
  /**
   * While this says the event loop is busy serving, one thread fewer hashes at a time (never fewer than one): the
   * core left over stays with the requests. Default: eventLoopBusy(). Two Argon2id derivations at once take both
   * cores of a 2-core machine and much of its memory bandwidth, and under a session load that more than doubled the
   * session route's p99 (peer benchmark, mixed: x2.25-x2.36 without this, x1.62 and x1.91 with it; bench/README.md).
   * Logins alone still hash on every core.
   */
  busy?: () => boolean;
  /**
   * While busy, a thread that finishes a derivation rests this many times as long as the derivation took before it
   * takes the next (and counts against the limit meanwhile). Default ARGON2_BUSY_REST.
   */
  busyRest?: number;
}

/**
 * A hashing thread's rest while the event loop is busy, as a share of its last derivation's time: at 0.5 a thread
 * hashes at most about two thirds of the time. The derivation's memory traffic slows every request on the other core
 * (about a third more CPU per session check while one hashes beside it, bench/README.md), so under a session load a
 * thread that never rests costs the sessions more than the logins gain; at rest 0.5 the session route's p99 rose
 * x1.5-x2.0 under logins where it rose x1.7-x2.4 without it, and logins ran at 8.5-10.7/s instead of 16-20/s. Logins
 * alone never rest: the loop is not busy then.
 */
export const ARGON2_BUSY_REST = 0.5;

export function createArgon2WorkerPool(options: Argon2WorkerPoolOptions | number = {}): Argon2WorkerPool {
  const settings = typeof options === 'number' ? { threads: options } : options;
  const { threads = defaultArgon2Threads(), engine = 'wasm' } = settings;
  let { nice = ARGON2_THREAD_NICE, busy = eventLoopBusy(), busyRest = ARGON2_BUSY_REST } = settings;
  let active = 0;
  /** Threads resting after a derivation while the loop was busy (neither idle nor running), and their timers. */
  const resting = new Map<Slot, ReturnType<typeof setTimeout>>();
  const queue: Job[] = [];
  const idle: Slot[] = [];
  const workers = new Map<Worker, Slot>();
  /** Since hurry(): threads at the lowered priority still finishing a derivation, each ended after it (not counted). */
  const stragglers = new Set<Worker>();
  let closed = false;
  let hurried = false;

  function startWorker(): Slot {
    const worker = new Worker(WORKER_URL, { workerData: { engine, nice } });
    // An idle thread must not keep the process alive; one with a job in hand does, until it answers.
    worker.unref();
    let current: Job | undefined;
    let failure: Error | undefined;
    let startedAt = 0;
    let gone = false;
    const slot: Slot = {
      run(job) {
        current = job;
        startedAt = performance.now();
        active++;
        worker.ref();
        worker.postMessage(job.options);
      },
      retire() {
        workers.delete(worker);
        stragglers.delete(worker);
        void worker.terminate();
      },
      current: () => current,
    };
    workers.set(worker, slot);
    worker.on('message', (reply: Reply) => {
      const job = current!;
      current = undefined;
      active--;
      worker.unref();
      if ('hash' in reply) job.resolve(reply.hash);
      else job.reject(new Error(`argon2id failed: ${reply.error}`));
      if (stragglers.has(worker)) {
        slot.retire();
        pump();
        return;
      }
      const rest = busyRest > 0 && busy() ? (performance.now() - startedAt) * busyRest : 0;
      if (rest <= 0) {
        idle.push(slot);
        pump();
        return;
      }
      const timer = setTimeout(() => {
        resting.delete(slot);
        if (!gone) idle.push(slot);
        pump();
      }, rest);
      // A resting thread keeps nothing alive; the queued logins' own requests do.
      timer.unref();
      resting.set(slot, timer);
    });
    worker.on('error', (error: unknown) => (failure = error instanceof Error ? error : new Error('the argon2id worker thread failed')));
    // A thread that died (an uncaught error, out of memory) fails its job and is replaced by the next pump.
    worker.on('exit', () => {
      gone = true;
      // A straggler's derivation also runs on another thread (hurry()), which answers it.
      const copied = stragglers.delete(worker) && !closed;
      workers.delete(worker);
      const index = idle.indexOf(slot);
      if (index >= 0) idle.splice(index, 1);
      if (current) active--;
      if (!copied) current?.reject(failure ?? new Error('the argon2id worker thread exited'));
      current = undefined;
      pump();
    });
    return slot;
  }

  function pump(): void {
    const limit = threads > 1 && queue.length > 0 && busy() ? threads - 1 : threads;
    while (!closed && queue.length > 0 && active - stragglers.size + resting.size < limit) {
      const slot = idle.pop() ?? (workers.size < threads ? startWorker() : undefined);
      if (!slot) return;
      slot.run(queue.shift()!);
    }
  }

  return {
    derive(password, salt, params, tagBytes) {
      if (closed) return Promise.reject(new Error('the argon2id worker pool is closed'));
      return new Promise((resolve, reject) => {
        queue.push({ options: hashWasmArgon2idOptions(password, salt, params, tagBytes), resolve, reject });
        pump();
      });
    },
    running: () => active,
    hurry() {
      if (hurried) return;
      hurried = true;
      nice = 0;
      busy = () => false;
      busyRest = 0;
      for (const [slot, timer] of resting) {
        clearTimeout(timer);
        slot.retire();
      }
      resting.clear();
      for (const slot of idle.splice(0)) slot.retire();
      // What is left is running a derivation: it goes on at the low priority, and the same derivation goes first in
      // the queue (a promise settles once: the second answer is ignored).
      for (const [worker, slot] of workers) {
        stragglers.add(worker);
        const job = slot.current();
        if (job) queue.unshift(job);
      }
      workers.clear();
      pump();
    },
    async close() {
      closed = true;
      for (const job of queue.splice(0)) job.reject(new Error('the argon2id worker pool is closed'));
      await Promise.all([...workers.keys(), ...stragglers].map((worker) => worker.terminate()));
    },
  };
}
