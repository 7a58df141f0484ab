// A local stand-in for Upstash's REST endpoint in front of a real Redis, so the Upstash adapter (and the Workers
// build, whose fetch can reach http://127.0.0.1) is tested against real Redis semantics. It speaks what
// @upstash/redis 1.39 sends: POST / with one command array, POST /pipeline and /multi-exec with arrays of command
// arrays, `Authorization: Bearer <token>`, replies `{result}` / `{error}`, and with `Upstash-Encoding: base64`
// every string reply base64-encoded except a top-level "OK" (the client's decode() passes "OK" through as is and
// base64-decodes every other string, nested ones included).
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createClient, ErrorReply } from 'redis';
import { listenOnLoopback, readText, sendJson as send } from './http';

export interface UpstashBridge {
  url: string;
  token: string;
  close(): Promise<void>;
}

type Command = string[];
type Reply = { result: unknown } | { error: string };

export async function startUpstashBridge(options: { redisUrl: string; token?: string; port?: number }): Promise<UpstashBridge> {
  const token = options.token ?? randomBytes(16).toString('hex');
  const redis = createClient({
    url: options.redisUrl,
    disableOfflineQueue: true,
    socket: { connectTimeout: 2000, reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 1000) },
  });
  redis.on('error', () => {}); // reconnects on its own; a request meanwhile gets a 500
  await redis.connect();
  const scripts = new ScriptRewriter();

  async function run(command: Command): Promise<unknown> {
    const reply = await redis.sendCommand(scripts.rewrite(command));
    return scripts.rewriteReply(command, reply);
  }

  async function runMultiExec(commands: Command[]): Promise<Reply[]> {
    const multi = redis.multi();
    for (const command of commands) multi.addCommand(scripts.rewrite(command));
    try {
      const replies: unknown[] = await multi.exec();
      return replies.map((reply, i) => ({ result: scripts.rewriteReply(commands[i] ?? [], reply) }));
    } catch (error) {
      // A command that failed while executing fails alone, as in Redis; the others keep their replies.
      if (!(error instanceof Error && 'replies' in error && Array.isArray(error.replies))) throw error;
      return error.replies.map((reply: unknown, i) =>
        reply instanceof ErrorReply ? { error: reply.message } : { result: scripts.rewriteReply(commands[i] ?? [], reply) },
      );
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.headers.authorization !== `Bearer ${token}`) return send(res, 401, { error: 'Unauthorized' });
    if (req.method !== 'POST') return send(res, 405, { error: 'only POST is supported' });
    const base64 = String(req.headers['upstash-encoding'] ?? '').toLowerCase() === 'base64';
    const encode = (reply: Reply): Reply => ('result' in reply ? { result: encodeResult(reply.result, base64, true) } : reply);
    const body = await readJson(req);
    const path = new URL(req.url ?? '/', 'http://bridge').pathname;
    if (path === '/') {
      const command = asCommand(body);
      if (!command) return send(res, 400, { error: 'ERR expected a JSON array of command parts' });
      try {
        return send(res, 200, encode({ result: await run(command) }));
      } catch (error) {
        return send(res, error instanceof ErrorReply ? 400 : 500, { error: messageOf(error) });
      }
    }
    if (path === '/pipeline' || path === '/multi-exec') {
      const commands = Array.isArray(body) ? body.map(asCommand) : [];
      if (commands.length === 0 || commands.some((c) => c === null)) {
        return send(res, 400, { error: 'ERR expected a JSON array of commands' });
      }
      const valid = commands as Command[];
      try {
        const replies =
          path === '/pipeline'
            ? await Promise.all(valid.map((c) => run(c).then((result) => ({ result }), (e: unknown) => ({ error: messageOf(e) }))))
            : await runMultiExec(valid);
        return send(res, 200, replies.map(encode));
      } catch (error) {
        return send(res, error instanceof ErrorReply ? 400 : 500, { error: messageOf(error) });
      }
    }
    return send(res, 404, { error: `unknown path ${path}` });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { error: messageOf(error) }));
  });
  const { port, close } = await listenOnLoopback(server, options.port);
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    async close() {
      await close();
      if (redis.isOpen) await redis.close().catch(() => redis.destroy());
    },
  };
}

/**
 * @upstash/ratelimit's scripts start with `#!lua flags=allow-key-locking`, a flag only Upstash's server knows:
 * Redis OSS 7.0 refuses the script ("Unexpected flag in script shebang"). The bridge drops that flag (and the
 * shebang line when no flag is left, keeping the line count so Lua error line numbers stay true), and because the
 * library calls EVALSHA with the SHA1 of the *original* text, it remembers original SHA1 → stripped SHA1.
 */
class ScriptRewriter {
  readonly #strippedShaByOriginal = new Map<string, string>();

  rewrite(command: Command): Command {
    const [name = '', first, ...rest] = command;
    const upper = name.toUpperCase();
    if ((upper === 'EVAL' || upper === 'EVAL_RO') && first !== undefined) return [name, this.#strip(first), ...rest];
    if ((upper === 'EVALSHA' || upper === 'EVALSHA_RO') && first !== undefined) return [name, this.#sha(first), ...rest];
    if (upper === 'SCRIPT' && first?.toUpperCase() === 'LOAD' && rest[0] !== undefined) return [name, first, this.#strip(rest[0])];
    if (upper === 'SCRIPT' && first?.toUpperCase() === 'EXISTS') return [name, first, ...rest.map((sha) => this.#sha(sha))];
    return command;
  }

  /** SCRIPT LOAD answers with the SHA1 the client computed itself: the original script's. */
  rewriteReply(command: Command, reply: unknown): unknown {
    const [name = '', first, script] = command;
    if (name.toUpperCase() === 'SCRIPT' && first?.toUpperCase() === 'LOAD' && script !== undefined) return sha1(script);
    return reply;
  }

  #sha(sha: string): string {
    return this.#strippedShaByOriginal.get(sha.toLowerCase()) ?? sha;
  }

  #strip(script: string): string {
    const match = /^#!lua([^\n]*)(\n|$)/.exec(script);
    if (!match || !/\ballow-key-locking\b/.test(match[1] ?? '')) return script;
    const flags = (/flags=(\S*)/.exec(match[1] ?? '')?.[1] ?? '').split(',').filter((f) => f && f !== 'allow-key-locking');
    const shebang = flags.length > 0 ? `#!lua flags=${flags.join(',')}` : '';
    const stripped = shebang + script.slice(match[0].length - (match[2] ?? '').length);
    this.#strippedShaByOriginal.set(sha1(script), sha1(stripped));
    return stripped;
  }
}

function sha1(text: string): string {
  return createHash('sha1').update(text, 'utf8').digest('hex');
}

function asCommand(value: unknown): Command | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  const parts: string[] = [];
  for (const part of value) {
    if (typeof part === 'string') parts.push(part);
    else if (typeof part === 'number' || typeof part === 'boolean') parts.push(String(part));
    else return null;
  }
  return parts;
}

function encodeResult(value: unknown, base64: boolean, topLevel: boolean): unknown {
  if (typeof value === 'string') {
    if (!base64 || (topLevel && value === 'OK')) return value;
    return Buffer.from(value, 'utf8').toString('base64');
  }
  if (Buffer.isBuffer(value)) return base64 ? value.toString('base64') : value.toString('utf8');
  if (Array.isArray(value)) return value.map((v) => encodeResult(v, base64, false));
  if (value instanceof ErrorReply) return value.message;
  return value ?? null;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  try {
    return JSON.parse(await readText(req)) as unknown;
  } catch {
    return undefined;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
