import { createAdaptorServer, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { type Config, ConfigError } from '../config';
import { serviceUnavailable } from '../http/service-unavailable';
import { frameResponses } from './node-frame-response';

// The Node server listens before the slow part of start-up (PGlite creates and migrates its database in seconds), so
// a port in use fails at once, with one line naming PORT, before anything is opened. A request that arrives before
// the app is ready is held and then answered by the app, so nothing sent during start-up is lost and a client that
// takes "answers at all" for "up" (load drivers, simple scripts) never sees a 503 it did not earn. Only a start-up
// slower than `holdMs` answers 503 "starting" with Retry-After.

type Fetch = (request: Request, env: unknown) => Response | Promise<Response>;

export interface EarlyListener {
  server: ServerType;
  address: AddressInfo;
  /** Starts answering with the app. */
  serve(fetch: Fetch): void;
  /** For shutdown: every response written from now on, the in-flight ones included, says `Connection: close`. */
  drain(): void;
}

const starting: Fetch = () => serviceUnavailable('Service starting', { 'Retry-After': '1' });

// Which setting to name for each failure to listen.
const SETTING_BY_CODE: Record<string, 'PORT' | 'HOST'> = { EADDRINUSE: 'PORT', EACCES: 'PORT', EADDRNOTAVAIL: 'HOST', ENOTFOUND: 'HOST', EAI_AGAIN: 'HOST' };

function listenFailure(config: Config, error: NodeJS.ErrnoException): Error {
  const setting = error.code ? SETTING_BY_CODE[error.code] : undefined;
  if (!setting) return error;
  const where = `${config.host}:${config.port}`;
  if (error.code === 'EADDRINUSE') return new ConfigError(`setting PORT: ${where} is already in use (another authgate?); stop that or choose another PORT`);
  return new ConfigError(`setting ${setting}: cannot listen on ${where} (${error.code})`);
}

export async function listenEarly(config: Config, options: { holdMs?: number } = {}): Promise<EarlyListener> {
  let serveApp: (fetch: Fetch) => void = () => {};
  const app = new Promise<Fetch>((resolve) => (serveApp = resolve));
  const holdMs = options.holdMs ?? 30_000;
  const waitForApp = (): Promise<Fetch> =>
    Promise.race([app, new Promise<Fetch>((resolve) => setTimeout(() => resolve(starting), holdMs).unref())]);
  let handle: Fetch = async (request, env) => (await waitForApp())(request, env);
  const responses = frameResponses();
  const server = createAdaptorServer({ fetch: (request, env) => handle(request, env), serverOptions: { ServerResponse: responses.ServerResponse } });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenFailure(config, error)));
    server.once('listening', resolve);
    server.listen(config.port, config.host);
  });
  return {
    server,
    address: server.address() as AddressInfo,
    serve(fetch) {
      handle = fetch;
      serveApp(fetch);
    },
    drain: responses.drain,
  };
}
