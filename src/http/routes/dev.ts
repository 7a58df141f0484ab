import { Hono } from 'hono';
import type { DevMailbox } from '../../adapters/mail/dev-mailbox';
import { normalizeEmail } from '../../core/email';
import type { AppEnv } from '../env';

/**
 * Development-only routes, mounted only when dev routes are enabled (Node, NODE_ENV not production) and mail goes to
 * the dev mailbox. Never part of the typed client or the OpenAPI document.
 */
export function devRoutes(mailbox: DevMailbox) {
  return new Hono<AppEnv>().get('/mailbox', (c) => {
    const to = c.req.query('to');
    return c.json({ messages: mailbox.list(to ? normalizeEmail(to) : undefined) }, 200);
  });
}
