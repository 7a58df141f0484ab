import { describeError } from '../core/logger';
import type { Context } from 'hono';
import type { RequestContext } from '../core/deps';
import type { AppEnv } from './env';

function deferFor(c: Context<AppEnv>) {
  let waitUntil: ((promise: Promise<unknown>) => void) | undefined;
  try {
    // Workers keep the isolate alive until the task settles; the Node entry drains it at shutdown. Without an
    // execution context (tests serving the app directly) the task simply runs.
    const ctx = c.executionCtx;
    waitUntil = ctx.waitUntil.bind(ctx);
  } catch {
    waitUntil = undefined;
  }
  return (task: () => Promise<void>) => {
    const running = task().catch((error: unknown) => c.get('logger').error('deferred task failed', { err: describeError(error) }));
    waitUntil?.(running);
  };
}

export function requestContext(c: Context<AppEnv>): RequestContext {
  return {
    ipAddress: c.get('clientIp'),
    userAgent: c.req.header('user-agent')?.slice(0, 512) ?? null,
    requestId: c.get('requestId'),
    defer: deferFor(c),
  };
}
