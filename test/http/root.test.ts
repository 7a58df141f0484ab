import { createHarness } from '#harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../support/harness';
import { json } from './helpers';

// The README sends newcomers to http://localhost:3000: `/` must lead somewhere useful.

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

describe('GET /', () => {
  it('sends a browser to the demo page', async () => {
    const response = await h.request('/', { headers: { accept: BROWSER_ACCEPT }, redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/demo');
    expect(response.headers.get('vary')).toMatch(/\bAccept\b/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('gives any other client (curl, fetch, no Accept) a JSON map of where things are', async () => {
    for (const accept of ['*/*', 'application/json', undefined]) {
      const response = await h.request('/', accept ? { headers: { accept } } : {});
      expect(response.status, String(accept)).toBe(200);
      expect(response.headers.get('vary')).toMatch(/\bAccept\b/);
      expect(await json(response)).toEqual({
        service: 'authgate',
        links: {
          demo: '/demo',
          apiDocs: '/api-docs',
          openapi: '/openapi.json',
          health: '/health',
          jwks: '/.well-known/jwks.json',
          discovery: '/.well-known/openid-configuration',
        },
      });
    }
  });

  it('links only to pages that exist', async () => {
    const { links } = await json(await h.request('/'));
    for (const path of Object.values<string>(links)) expect((await h.request(path)).status, path).toBe(200);
  });
});
