import type { Context } from 'hono';
import type { AppEnv, EarlyHeaders } from '../http/env';
import { frameHeadersOf } from './node-frame-response';

/**
 * The ServerResponse @hono/node-server hands the app in c.env, while its headers are not yet sent, when the server
 * was made with our response class (node-listen.ts): the request frame sets its headers there (http/frame-headers.ts).
 * Null otherwise (app.request in a script, another server), and the headers go onto the Response instead.
 */
export function nodeEarlyHeaders(c: Context<AppEnv>): EarlyHeaders | null {
  return frameHeadersOf((c.env as { outgoing?: unknown } | undefined)?.outgoing);
}
