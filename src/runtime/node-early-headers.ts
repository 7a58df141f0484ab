import type { Context } from 'hono';
import type { ServerResponse } from 'node:http';
import type { AppEnv, EarlyHeaders } from '../http/env';

/**
 * The ServerResponse @hono/node-server hands the app in c.env, while its headers are not yet sent: the request frame
 * sets its headers there (http/frame-headers.ts). Null when the app is called without it (app.request in a script).
 */
export function nodeEarlyHeaders(c: Context<AppEnv>): EarlyHeaders | null {
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  return outgoing && typeof outgoing.setHeader === 'function' && !outgoing.headersSent ? outgoing : null;
}
