import { createRoute, z } from '@hono/zod-openapi';
import { createRouter } from '../router';
import { jsonContent } from '../schemas/common';

const healthRoute = createRoute({
  method: 'get',
  path: '/health',
  tags: ['system'],
  summary: 'Liveness',
  responses: { 200: jsonContent(z.object({ status: z.literal('ok') }), 'Alive') },
});

const Readiness = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    checks: z.object({ database: z.enum(['ok', 'failed']), keyValue: z.enum(['ok', 'failed']) }),
  })
  .openapi('Readiness');

const readyRoute = createRoute({
  method: 'get',
  path: '/health/ready',
  tags: ['system'],
  summary: 'Readiness: the database and the key-value store answer',
  responses: { 200: jsonContent(Readiness, 'Ready'), 503: jsonContent(Readiness, 'A backing store failed') },
});

const PROBE_TIMEOUT_MS = 3000;

async function probe(check: () => Promise<void>): Promise<'ok' | 'failed'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), PROBE_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return 'ok';
  } catch {
    return 'failed';
  } finally {
    clearTimeout(timer);
  }
}

export const systemRoutes = createRouter()
  .openapi(healthRoute, (c) => c.json({ status: 'ok' as const }, 200))
  .openapi(readyRoute, async (c) => {
    const { db, kv, logger } = c.get('deps');
    const [database, keyValue] = await Promise.all([probe(() => db.ping()), probe(() => kv.ping())]);
    const checks = { database, keyValue };
    if (database === 'ok' && keyValue === 'ok') return c.json({ status: 'ok' as const, checks }, 200);
    logger.warn('readiness check failed', checks);
    return c.json({ status: 'unavailable' as const, checks }, 503);
  });
