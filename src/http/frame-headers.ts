import type { Context } from 'hono';
import type { AppEnv } from './env';

// Headers every response of a kind carries (the request id, the security headers, the rate-limit headers,
// Cache-Control on the API) are set through here. On Node they go straight onto the ServerResponse
// (runtime/node-frame-response.ts), which merges them into the response when it is written; the Response itself then
// keeps a plain header object, and @hono/node-server writes it without building a Headers (undici's validated `set`s
// and the copy back out were a fifth of a /health request). Elsewhere (Workers) they go onto the Response through
// c.header. Either way a header the handler sets itself wins (an HTML page's CSP), and either way it reaches responses
// the handler did not build with c.json()/c.body() only where `reachesEveryResponse` says so — else the caller
// re-applies it afterwards.

/** Sets a response header for this request: early on Node, on the Response elsewhere. */
export function setFrameHeader(c: Context<AppEnv>, name: string, value: string): void {
  const early = c.get('earlyHeaders');
  if (early) early.setFrameHeader(name, value);
  else c.header(name, value);
}

/** Whether headers set now reach the response whatever the handler returns (Node's early headers do). */
export function reachesEveryResponse(c: Context<AppEnv>): boolean {
  return c.get('earlyHeaders') != null;
}
