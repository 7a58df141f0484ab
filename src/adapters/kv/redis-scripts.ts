import { createHash } from 'node:crypto';
import { ErrorReply } from 'redis';
import { SLIDING_WINDOW_LUA } from './sliding-window-script';

export interface LuaScript {
  source: string;
  sha1: string;
}

function lua(source: string): LuaScript {
  return { source, sha1: createHash('sha1').update(source, 'utf8').digest('hex') };
}

/** The sliding-window hit (sliding-window-script.ts), as the Redis store runs it. */
export const slidingWindowScript = lua(SLIDING_WINDOW_LUA);

interface ScriptRunner {
  evalSha(sha1: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  eval(source: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/** EVALSHA first (the script body is not resent on every request), EVAL when the server does not have it yet. */
export async function runScript(client: ScriptRunner, script: LuaScript, keys: string[], args: string[]): Promise<unknown> {
  try {
    return await client.evalSha(script.sha1, { keys, arguments: args });
  } catch (error) {
    if (error instanceof ErrorReply && error.message.startsWith('NOSCRIPT')) {
      return client.eval(script.source, { keys, arguments: args });
    }
    throw error;
  }
}
