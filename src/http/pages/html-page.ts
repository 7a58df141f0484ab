import type { Context } from 'hono';
import type { AppEnv } from '../env';

// Every HTML page the service serves itself (/demo, /admin) goes through here (DESIGN.md seam "HTML pages"): a fresh
// nonce per response, and a CSP that allows exactly the page's own nonce-tagged script and style and calls to this
// origin — no third-party origin, no inline handler, no eval. Pages are personal (tokens end up in their memory), so
// nothing caches them. /api-docs is the one exception (Scalar's assets), with its own CSP in app.ts.

export function pageCsp(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "connect-src 'self'",
    "form-action 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** 128 random bits, hex: unguessable per response (CSP3 asks for at least 128 bits). */
function newNonce(): string {
  return crypto.randomUUID().replaceAll('-', '');
}

type Html = Parameters<Context<AppEnv>['html']>[0];

/** Answers with the page `render` makes for a fresh nonce, under the page CSP. */
export function htmlPage(c: Context<AppEnv>, render: (nonce: string) => Html) {
  const nonce = newNonce();
  c.header('Content-Security-Policy', pageCsp(nonce));
  c.header('Cache-Control', 'no-store');
  return c.html(render(nonce));
}
