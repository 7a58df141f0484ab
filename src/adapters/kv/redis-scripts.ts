import { createHash } from 'node:crypto';
import { ErrorReply } from 'redis';

export interface LuaScript {
  source: string;
  sha1: string;
}

function lua(source: string): LuaScript {
  return { source, sha1: createHash('sha1').update(source, 'utf8').digest('hex') };
}

/**
 * @upstash/ratelimit 2.2.0's single-region slidingWindow limit script, without its dynamic-limit key and its
 * `#!lua flags=allow-key-locking` shebang (an Upstash-only flag Redis OSS refuses), so a Redis deployment limits
 * exactly as an Upstash one — except that a refused request is counted too (API.md: every request counts, refused
 * ones included, so a client hammering a full window keeps it full). KEYS: current bucket, previous bucket.
 * ARGV: limit, now (ms), window (ms). Returns the remaining count, or -1 when refused. Time comes from the caller.
 */
export const slidingWindowScript = lua(`
local currentKey  = KEYS[1]
local previousKey = KEYS[2]
local limit       = tonumber(ARGV[1])
local nowMs       = tonumber(ARGV[2])
local windowMs    = tonumber(ARGV[3])

local current  = tonumber(redis.call("GET", currentKey) or "0")
local previous = tonumber(redis.call("GET", previousKey) or "0")
local weightedPrevious = math.floor((1 - (nowMs % windowMs) / windowMs) * previous)

local refused = weightedPrevious + current >= limit
local newValue = redis.call("INCR", currentKey)
if newValue == 1 then
  -- Lives through the next window, where it is the previous bucket, plus a second.
  redis.call("PEXPIRE", currentKey, windowMs * 2 + 1000)
end
if refused then
  return -1
end
return limit - (newValue + weightedPrevious)
`);

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
