import { createClient } from 'redis';

// The Redis store's connection: callers must learn of trouble within a bound (they fail closed for the denylist,
// open for rate limits), so there is no offline queue, connecting is bounded, and every call has a deadline.
// node-redis's own command timeout stops counting once a command is written, and an idle-socket timeout never
// fires on a busy connection, so a link that silently stopped answering (a dropped NAT entry, a wedged peer)
// would hold every later call. A missed deadline therefore retires the connection and a fresh one takes over.

const CONNECT_TIMEOUT_MS = 2000;
export const CALL_DEADLINE_MS = 2000;
const MAX_RECONNECT_DELAY_MS = 2000;

function newClient(url: string, hasConnected: () => boolean) {
  return createClient({
    url,
    disableOfflineQueue: true,
    // No per-command timeout of node-redis's own (its default is 5 s): `call` below bounds every call and retires a
    // connection that misses it, and node-redis arms an AbortSignal.timeout per command that cannot be cleared, so
    // each one fired seconds later and built a TimeoutError (DOMException, stack trace and all) for a command long
    // answered: 2–4 % of a session check's CPU on PostgreSQL + Redis.
    commandOptions: { timeout: 0 },
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      // Retried in the background once the store is up; at start a failure is final (openRedisConnection rejects).
      reconnectStrategy: (retries, cause) =>
        hasConnected() ? Math.min(50 * 2 ** retries, MAX_RECONNECT_DELAY_MS) : new Error(`cannot reach Redis: ${cause.message}`, { cause }),
    },
  });
}

export type RedisClient = ReturnType<typeof newClient>;

export interface RedisConnection {
  /** Runs one call on the current client; rejects after CALL_DEADLINE_MS and then replaces the client. */
  call<T>(work: (client: RedisClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Rejects when the server cannot be reached at start; later outages are retried in the background. */
export async function openRedisConnection(url: string): Promise<RedisConnection> {
  let connectedOnce = false;
  const first = newClient(url, () => connectedOnce);
  // node-redis emits every socket failure as 'error'; unheard it would crash the process. Calls reject
  // meanwhile, which is where callers learn of it (and log it without the URL, which may hold a password).
  first.on('error', () => {});
  await first.connect();
  connectedOnce = true;
  let current: RedisClient = first;
  let closed = false;

  function replace(stale: RedisClient): void {
    if (closed || current !== stale) return;
    const fresh = stale.duplicate();
    fresh.on('error', () => {});
    current = fresh;
    // Until it is ready, calls on it fail at once (no offline queue) rather than wait.
    fresh.connect().catch(() => {});
    stale.destroy();
  }

  return {
    async call(work) {
      if (closed) throw new Error('the Redis key-value store is closed');
      const client = current;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const expired = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          replace(client);
          reject(new Error(`Redis did not answer within ${CALL_DEADLINE_MS} ms`));
        }, CALL_DEADLINE_MS);
      });
      // Started after the timer exists, and as an async call so a synchronous throw also clears the timer.
      const working = (async () => work(client))();
      return Promise.race([working, expired]).finally(() => clearTimeout(timer));
    },

    async close() {
      if (closed) return;
      closed = true;
      const client = current;
      if (!client.isOpen) return;
      // A graceful close waits for pending replies; a server that stopped answering gets the socket destroyed.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const expired = new Promise<'expired'>((resolve) => (timer = setTimeout(() => resolve('expired'), CALL_DEADLINE_MS)));
      const outcome = await Promise.race([client.close().catch(() => 'failed' as const), expired]);
      clearTimeout(timer);
      if (outcome !== undefined) client.destroy();
    },
  };
}
