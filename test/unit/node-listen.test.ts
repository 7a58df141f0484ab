import { createServer } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';
import { listenEarly } from '../../src/runtime/node-listen';
import { freePort } from '../support/authgate-process';

// The Node server listens before it opens its stores (node.ts): these are the states of that early listener.

describe('the early listener', () => {
  it('holds a request that arrives during start-up and has the app answer it once served', async () => {
    const config = loadConfig({ PORT: String(await freePort()) }, 'node');
    const listener = await listenEarly(config);
    try {
      const early = fetch(`http://127.0.0.1:${listener.address.port}/health`);
      // The request is on the server (it counts the connection) before the app is served.
      await vi.waitFor(async () => {
        const connections = await new Promise<number>((resolve) => listener.server.getConnections((_e, n) => resolve(n)));
        if (connections < 1) throw new Error('request not there yet');
      });
      listener.serve(() => Response.json({ status: 'ok' }));
      const answer = await early;
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ status: 'ok' });
    } finally {
      listener.server.close();
    }
  });

  it('answers 503 "starting" with the envelope and Retry-After when start-up outlasts the hold, then the app answers', async () => {
    const config = loadConfig({ PORT: String(await freePort()) }, 'node');
    const listener = await listenEarly(config, { holdMs: 50 });
    try {
      const url = `http://127.0.0.1:${listener.address.port}/health`;
      const starting = await fetch(url);
      expect(starting.status).toBe(503);
      expect(starting.headers.get('retry-after')).toBe('1');
      const body = (await starting.json()) as { success: boolean; error: { code: string; requestId: string } };
      expect(body).toMatchObject({ success: false, error: { code: 'SERVICE_UNAVAILABLE', message: 'Service starting', statusCode: 503 } });
      expect(starting.headers.get('x-request-id')).toBe(body.error.requestId);

      listener.serve(() => Response.json({ status: 'ok' }));
      const ready = await fetch(url);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ok' });
    } finally {
      listener.server.close();
    }
  });

  it('turns a port in use into one line naming PORT', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const error = await listenEarly(loadConfig({ PORT: String(port) }, 'node')).then(() => new Error('expected a ConfigError'), (e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toBe(`setting PORT: 127.0.0.1:${port} is already in use (another authgate?); stop that or choose another PORT`);
    } finally {
      taken.close();
    }
  });

  it('turns an address this machine does not have into one line naming HOST', async () => {
    const config = loadConfig({ PORT: String(await freePort()), HOST: '192.0.2.1' }, 'node');
    const error = await listenEarly(config).then(() => new Error('expected a ConfigError'), (e: unknown) => e);
    expect((error as Error).message).toBe(`setting HOST: cannot listen on 192.0.2.1:${config.port} (EADDRNOTAVAIL)`);
  });
});
