/**
 * One sliding-window hit in Lua, run by the Redis store (EVALSHA over TCP) and the Upstash store (EVALSHA over REST),
 * so both limit exactly as the embedded store does (sliding-window.ts has the arithmetic and what it guarantees).
 * It started as @upstash/ratelimit 2.2.0's single-region slidingWindow script, changed in three ways: a refused
 * request is counted too (API.md: every request counts, so a client hammering a full window keeps it full); the
 * previous window's weight is rounded up, not floored (a burst straddling an edge is still limited, issue 14); and
 * no dynamic-limit key or `#!lua flags=allow-key-locking` shebang (an Upstash-only flag Redis OSS refuses).
 * Runtime-neutral (no node:*), because the Workers build runs it over Upstash REST.
 * KEYS: current bucket, previous bucket. ARGV: limit, now (ms), window (ms). Returns the remaining count, or -1 when
 * refused. Time comes from the caller.
 */
export const SLIDING_WINDOW_LUA = `
local currentKey  = KEYS[1]
local previousKey = KEYS[2]
local limit       = tonumber(ARGV[1])
local nowMs       = tonumber(ARGV[2])
local windowMs    = tonumber(ARGV[3])

local current  = tonumber(redis.call("GET", currentKey) or "0")
local previous = tonumber(redis.call("GET", previousKey) or "0")
-- Integers throughout, as weightedPreviousCount in sliding-window.ts: exact in a double, so a whole count stays whole.
local weightedPrevious = math.ceil(previous * (windowMs - nowMs % windowMs) / windowMs)

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
`;
