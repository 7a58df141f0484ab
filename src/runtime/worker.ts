import { createApp } from '../app';
import { ConfigError, loadConfig } from '../config';
import { createJsonLogger, type Logger } from '../core/logger';
import { purgeExpiredTokens } from '../core/maintenance';
import { openNeonDatabase } from '../adapters/db/neon';
import { createUpstashStore } from '../adapters/kv/upstash';
import { createHttpMailer } from '../adapters/mail/http';
import type { Clock, Mailer, OAuthProvider } from '../core/ports';
import { createWorkersPasswordHasher } from '../adapters/password/workers';
import { serviceUnavailable } from '../http/service-unavailable';
import { assembleDeps } from './assemble';

// Workers entry: bindings → dependencies → the same app as on Node. One app per isolate, built on first use.

type Bindings = Record<string, unknown>;

interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void;
}

/** Tests inside workerd swap the clock (nothing sleeps) and may capture mail and logs; production passes nothing. */
export interface WorkerOverrides {
  clock?: Clock;
  mailer?: Mailer;
  logger?: Logger;
  /** Key namespace in Redis, so concurrent test apps sharing one Redis never share a rate-limit bucket. */
  keyPrefix?: string;
  oauthProviders?: OAuthProvider[];
}

export async function createWorkerDeps(env: Bindings, overrides: WorkerOverrides = {}) {
  // loadConfig has checked every setting Workers require (the stores, the keys, MAIL_HTTP_URL) in one go.
  const config = loadConfig(env, 'workers');
  return assembleDeps({
    config,
    db: openNeonDatabase(config.databaseUrl!),
    kv: createUpstashStore({ ...config.upstash!, ...(overrides.keyPrefix ? { prefix: overrides.keyPrefix } : {}), ...(overrides.clock ? { clock: overrides.clock } : {}) }),
    passwords: createWorkersPasswordHasher(config.argon2),
    mailer: overrides.mailer ?? createHttpMailer({ url: config.mail.httpUrl!, token: config.mail.httpToken, from: config.mail.from }),
    logger: overrides.logger ?? createJsonLogger(config.logLevel),
    privateKey: config.jwt.privateKey!,
    mfaKeyHex: config.mfaEncryptionKeyHex!,
    // On Workers only Cloudflare's own header is believed; X-Forwarded-For is client-controlled there.
    clientIp: (c) => c.req.header('cf-connecting-ip') ?? null,
    ...(overrides.clock ? { clock: overrides.clock } : {}),
    ...(overrides.oauthProviders ? { oauthProviders: overrides.oauthProviders } : {}),
  });
}

let app: Promise<ReturnType<typeof createApp>> | undefined;

function getApp(env: Bindings) {
  app ??= createWorkerDeps(env).then(createApp);
  app.catch(() => {
    app = undefined;
  });
  return app;
}

export default {
  async fetch(request: Request, env: Bindings, ctx: ExecutionContextLike): Promise<Response> {
    try {
      return await (await getApp(env)).fetch(request, env, ctx as never);
    } catch (error) {
      const message = error instanceof ConfigError ? error.message : 'start-up failed';
      console.error(`authgate: ${message}`);
      // The app (and its middleware) could not be built, so this answer carries the envelope's headers itself.
      return serviceUnavailable('Service misconfigured');
    }
  },
  async scheduled(_event: unknown, env: Bindings, ctx: ExecutionContextLike): Promise<void> {
    ctx.waitUntil(createWorkerDeps(env).then(purgeExpiredTokens));
  },
};
