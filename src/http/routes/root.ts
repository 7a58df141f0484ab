import { createRoute, z } from '@hono/zod-openapi';
import { createRouter } from '../router';
import { jsonContent } from '../schemas/common';

// The README sends newcomers to http://localhost:3000. A browser lands on /demo, where it can try the service;
// curl and other programs get a map of where things are. Every link here is a page that exists (a test follows them).

const LINKS = {
  demo: '/demo',
  apiDocs: '/api-docs',
  openapi: '/openapi.json',
  health: '/health',
  jwks: '/.well-known/jwks.json',
  discovery: '/.well-known/openid-configuration',
} as const;

const ServiceIndex = z
  .object({ service: z.literal('authgate'), links: z.object({ demo: z.string(), apiDocs: z.string(), openapi: z.string(), health: z.string(), jwks: z.string(), discovery: z.string() }) })
  .openapi('ServiceIndex');

const rootRoute = createRoute({
  method: 'get',
  path: '/',
  tags: ['system'],
  summary: 'Where to start: browsers are sent to /demo, other clients get links',
  responses: {
    200: jsonContent(ServiceIndex, 'Links to the demo page, API reference, OpenAPI document, health and keys'),
    302: { description: 'A browser (Accept: text/html) is sent to /demo' },
  },
});

export const rootRoutes = createRouter().openapi(rootRoute, (c) => {
  // The answer depends on Accept, so a shared cache must key on it.
  c.header('Vary', 'Accept');
  if (c.req.header('accept')?.includes('text/html')) return c.redirect(LINKS.demo, 302);
  return c.json({ service: 'authgate' as const, links: LINKS }, 200);
});
