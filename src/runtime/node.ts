// Must stay the first import: it stops an unsupported Node with one line before anything else is evaluated.
import './require-node';
import { createApp } from '../app';
import { ConfigError, loadConfig } from '../config';
import { describeError } from '../core/logger';
import { hurryPasswordHashing, nodePasswordEngineName } from '../adapters/password/node';
import { purgeExpiredTokens } from '../core/maintenance';
import { ensureSuperAdminOnce } from '../core/admin/bootstrap';
import { createNodeDeps } from './node-deps';
import { listenEarly } from './node-listen';
import { holdDataDirLock } from './node-lock';
import { usesDataDir } from './node-stores';

// `npm start`: with nothing configured this is the embedded mode (PGlite + embedded key-value store in DATA_DIR).

const SHUTDOWN_GRACE_MS = 10_000;
const PURGE_INTERVAL_MS = 60 * 60 * 1000;

async function main() {
  const config = loadConfig(process.env, 'node');
  // Before anything is opened: a second server must not touch the files of the one already using DATA_DIR.
  if (usesDataDir(config)) holdDataDirLock(config.dataDir);
  // Then the port, before the slow part: a port in use fails at once. Requests meanwhile wait for the app (node-listen.ts).
  const listener = await listenEarly(config);
  const deps = await createNodeDeps(config);
  // Before listening: a bad ADMIN_PASSWORD stops start-up with one line, like any bad setting.
  await ensureSuperAdminOnce(deps, deps.auth);
  const app = createApp(deps);
  // OpenID discovery at start-up, in the background: a provider that cannot be reached is logged as unavailable
  // (and answers 503 until it recovers) but never stops the service.
  for (const provider of deps.oauthProviders.values()) void provider.prepare?.();
  // Work a request defers past its response (mail, the reset token of forgot-password) goes through waitUntil, as on
  // Workers, so shutdown can wait for it before the stores close.
  const deferred = new Set<Promise<unknown>>();
  const executionCtx = {
    waitUntil(promise: Promise<unknown>) {
      deferred.add(promise);
      const settled = () => void deferred.delete(promise);
      promise.then(settled, settled);
    },
    passThroughOnException() {},
    props: {},
  };
  listener.serve((request, env) => app.fetch(request, env, executionCtx));
  const { server, address } = listener;
  const database = config.databaseUrl ? 'postgres (DATABASE_URL)' : `pglite (${config.dataDir}/pglite)`;
  const keyValue = { redis: 'redis (REDIS_URL)', upstash: 'upstash (UPSTASH_REDIS_REST_URL)', embedded: `embedded (${config.dataDir}/kv.json)` }[deps.kv.kind];
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  console.log(`authgate listening on http://${host}:${address.port} (public URL ${config.appUrl})`);
  console.log(`  database: ${database} · key-value: ${keyValue} · mail: ${deps.mailer.kind} · passwords: ${nodePasswordEngineName}`);

  // Expired and revoked tokens are purged hourly (the Workers entry does it from a cron trigger).
  const purge = setInterval(() => {
    purgeExpiredTokens(deps).catch((error: unknown) => deps.logger.error('token purge failed', { err: describeError(error) }));
  }, PURGE_INTERVAL_MS);
  purge.unref();

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    const since = performance.now();
    clearInterval(purge);
    console.log(`authgate: ${signal} received, finishing in-flight requests`);
    // Responses not yet written say `Connection: close`: otherwise their keep-alive connections hold server.close()
    // open until the client's idle timeout, or for ever if the client keeps sending requests.
    listener.drain();
    // The logins waiting for a derivation are now all that is left to do: they must not queue behind other processes.
    hurryPasswordHashing();
    const force = setTimeout(() => {
      console.error('authgate: in-flight requests or deferred work did not finish in time; exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    // close() stops accepting and calls back once every in-flight request has been answered; then the deferred work
    // of those requests finishes (within the same grace period) before the stores it writes to close.
    server.close(async () => {
      while (deferred.size > 0) await Promise.allSettled([...deferred]);
      await Promise.allSettled([deps.db.close(), deps.kv.close(), deps.mailer.close?.()]);
      console.log(`authgate: stopped, ${((performance.now() - since) / 1000).toFixed(1)} s after ${signal}`);
      process.exit(0);
    });
    if ('closeIdleConnections' in server) server.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  // A bad setting is one clear line, not a stack trace.
  if (error instanceof ConfigError) console.error(`authgate: ${error.message}`);
  else console.error(`authgate: failed to start: ${describeError(error)}`);
  process.exit(1);
});
