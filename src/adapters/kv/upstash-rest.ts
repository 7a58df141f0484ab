// A minimal client for Upstash's Redis REST API, in place of @upstash/redis (91 KiB of the Workers bundle for the eight
// commands the store sends). It speaks the protocol as that library (1.39, the settings upstash.ts used) does, so the
// wire and the failures stay the same:
// - POST <url>/pipeline with a JSON array of commands, a reply array of `{result}` / `{error}`: every single command
//   goes this way, batched with the others issued in the same tick (the library's auto-pipelining, on by default),
//   reads and writes in separate batches, at most 1000 commands a batch;
// - POST <url>/multi-exec for a MULTI/EXEC transaction, same body and replies;
// - `Authorization: Bearer <token>`, `Upstash-Encoding: base64` (every string reply base64-encoded but a top-level
//   "OK"), and `upstash-sync-token` echoed back for read-your-writes;
// - one deadline per HTTP request (an abort rejects at once), and retries on a network error only (fetch rejected,
//   nothing aborted): `retries` more attempts, waiting backoffMs(0), backoffMs(1)… in between;
// - a non-2xx answer, a body that is not JSON and an `{error}` reply all reject with an UpstashError.
// Web-standard globals only (fetch, AbortSignal, crypto.subtle, atob, TextEncoder/TextDecoder, setTimeout): it runs
// on Workers and on Node alike.

export type RedisArg = string | number;
export type RedisCommand = readonly [string, ...RedisArg[]];

export interface UpstashRestOptions {
  url: string;
  token: string;
  /** Deadline of one HTTP request, its retries included. */
  timeoutMs: number;
  /** Further attempts after a network error. */
  retries: number;
  /** Wait before retry n + 1 (n from 0). */
  backoffMs: (retry: number) => number;
}

export interface UpstashRest {
  /** One command; its reply, strings base64-decoded. Rejects on an `{error}` reply. */
  command(command: RedisCommand): Promise<unknown>;
  /** The commands as one MULTI/EXEC transaction; their replies. Rejects when any command failed. */
  transaction(commands: readonly RedisCommand[]): Promise<unknown[]>;
  /** A Lua script run by EVALSHA, and by EVAL when the server does not have it yet (NOSCRIPT). */
  script(lua: string): (keys: readonly string[], args: readonly RedisArg[]) => Promise<unknown>;
}

export class UpstashError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UpstashError';
  }
}

// The library's auto-pipeline sends these in a batch of their own (its READ_COMMANDS: the ones used here, and kin).
const READ_COMMANDS = new Set(['get', 'mget', 'exists', 'ttl', 'pttl', 'strlen', 'ping', 'echo']);
const MAX_BATCH = 1000;

type Reply = { result?: unknown; error?: unknown };
interface Pending {
  command: RedisCommand;
  resolve: (reply: Reply) => void;
  reject: (error: unknown) => void;
}

export function createUpstashRest(options: UpstashRestOptions): UpstashRest {
  const baseUrl = options.url.replace(/\/$/, '');
  if (!/^https?:\/\/[^\s#$./?].\S*$/.test(baseUrl)) throw new TypeError('the Upstash REST URL must be an http(s) URL');
  let syncToken = '';

  async function post(path: '/pipeline' | '/multi-exec', commands: readonly RedisCommand[]): Promise<Reply[]> {
    const signal = AbortSignal.timeout(options.timeoutMs);
    const init: RequestInit = {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${options.token}`,
        'upstash-encoding': 'base64',
        'upstash-sync-token': syncToken,
      },
      body: JSON.stringify(commands),
      keepalive: true,
      signal,
    };
    let response: Response | undefined;
    let failure: unknown;
    for (let attempt = 0; attempt <= options.retries && !response; attempt++) {
      try {
        response = await fetch(baseUrl + path, init);
      } catch (error) {
        if (signal.aborted) throw error; // out of time: no retry
        failure = error;
        if (attempt < options.retries) await new Promise((resolve) => setTimeout(resolve, options.backoffMs(attempt)));
      }
    }
    if (!response) throw failure;

    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new UpstashError(`Unable to parse response body: ${text.length > 200 ? `${text.slice(0, 200)}...` : text}`);
    }
    // The library adds the command with its arguments; only the names here, as values may be secrets.
    const sent = JSON.stringify(commands.map((command) => command[0]));
    if (!response.ok) throw new UpstashError(`${String((body as Reply | null)?.error)}, command was: ${sent}`);
    syncToken = response.headers.get('upstash-sync-token') ?? '';
    if (!Array.isArray(body) || body.length !== commands.length) throw new UpstashError(`unexpected reply to ${sent}: not one entry per command`);
    return body.map((entry: Reply | null) => ({ error: entry?.error, result: decode(entry?.result, true) }));
  }

  // Auto-pipelining: a batch starts with its first command and is sent two microtasks later (as the library does),
  // carrying every command of the same kind issued meanwhile.
  const open: Partial<Record<'read' | 'write', Pending[]>> = {};

  function send(batch: Pending[]): void {
    post(
      '/pipeline',
      batch.map((p) => p.command),
    ).then(
      (replies) => batch.forEach((p, i) => p.resolve(replies[i]!)),
      (error: unknown) => batch.forEach((p) => p.reject(error)),
    );
  }

  function enqueue(command: RedisCommand): Promise<Reply> {
    const kind = READ_COMMANDS.has(command[0].toLowerCase()) ? 'read' : 'write';
    return new Promise<Reply>((resolve, reject) => {
      let batch = open[kind];
      if (!batch) {
        const fresh: Pending[] = (batch = open[kind] = []);
        void Promise.resolve()
          .then(() => undefined)
          .then(() => {
            if (open[kind] === fresh) delete open[kind];
            send(fresh);
          });
      }
      batch.push({ command, resolve, reject });
      if (batch.length >= MAX_BATCH) delete open[kind];
    });
  }

  async function command(command: RedisCommand): Promise<unknown> {
    const reply = await enqueue(command);
    if (reply.error) throw new UpstashError(`Command failed: ${String(reply.error)}`);
    if (reply.result === undefined) throw new UpstashError(`Command failed: no result for ${command[0]}`);
    return reply.result;
  }

  return {
    command,

    async transaction(commands) {
      const replies = await post('/multi-exec', commands);
      return replies.map((reply, i) => {
        if (reply.error) throw new UpstashError(`Command ${i + 1} [ ${commands[i]![0]} ] failed: ${String(reply.error)}`);
        if (reply.result === undefined) throw new UpstashError(`Command ${i + 1} [ ${commands[i]![0]} ] failed: no result`);
        return reply.result;
      });
    },

    script(lua) {
      let sha: Promise<string> | undefined;
      return async (keys, args) => {
        sha ??= sha1Hex(lua);
        try {
          return await command(['evalsha', await sha, keys.length, ...keys, ...args]);
        } catch (error) {
          if (!(error instanceof Error && error.message.toLowerCase().includes('noscript'))) throw error;
          return await command(['eval', lua, keys.length, ...keys, ...args]);
        }
      };
    },
  };
}

async function sha1Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Undoes `Upstash-Encoding: base64`: every string is base64 but a top-level "OK"; text that is not base64 stays. */
function decode(value: unknown, topLevel: boolean): unknown {
  if (typeof value === 'string') return topLevel && value === 'OK' ? value : base64ToText(value);
  if (Array.isArray(value)) return value.map((item) => decode(item, false));
  return value;
}

function base64ToText(encoded: string): string {
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(encoded), (char) => char.charCodeAt(0)));
  } catch {
    return encoded;
  }
}
