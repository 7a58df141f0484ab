import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps, AppEnv } from './http/env';
import { errorResponse, handleError } from './http/errors';
import { allowedMethodsFinder } from './http/method-not-allowed';
import { withConventionalResponses } from './http/openapi-conventions';
import { bootstrapAdmin } from './http/middleware/bootstrap-admin';
import { cors } from './http/middleware/cors';
import { requestFrame } from './http/middleware/frame';
import { requestGate } from './http/middleware/gate';
import { isDevMailbox } from './adapters/mail/dev-mailbox';
import { accountRoutes } from './http/routes/account';
import { adminRoutes } from './http/routes/admin';
import { adminConsoleRoutes } from './http/routes/admin-console';
import { apiDocsRoutes } from './http/routes/api-docs';
import { authRoutes } from './http/routes/auth';
import { demoRoutes } from './http/routes/demo';
import { passkeyAuthRoutes } from './http/routes/passkey-auth';
import { passkeyRoutes } from './http/routes/passkeys';
import { rootRoutes } from './http/routes/root';
import { devRoutes } from './http/routes/dev';
import { identityRoutes } from './http/routes/identities';
import { oauthRoutes } from './http/routes/oauth';
import { metricsHandler, metricsServed } from './http/routes/metrics';
import { mfaRoutes } from './http/routes/mfa';
import { sessionRoutes } from './http/routes/sessions';
import { systemRoutes } from './http/routes/system';
import { userRoutes } from './http/routes/users';
import { wellKnownRoutes } from './http/routes/well-known';
import { reachesEveryResponse, setFrameHeader } from './http/frame-headers';

function buildApp(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();
  app.use('*', requestFrame(deps));
  if (deps.config.admin) app.use('*', bootstrapAdmin());
  // Answers preflights itself, so they reach neither the body checks nor the rate limits below.
  app.use('*', cors(deps.config.corsOrigins));
  app.use('*', requestGate());
  app.use('/api/v1/*', async function noStore(c, next) {
    // API.md: token-bearing responses are never cached; every API answer is personal, so none is. Set before the
    // handler so the response is built with it; set again only on a Response a handler built itself.
    setFrameHeader(c, 'Cache-Control', 'no-store');
    await next();
    if (!reachesEveryResponse(c) && c.res.headers.get('Cache-Control') !== 'no-store') c.res.headers.set('Cache-Control', 'no-store');
  });

  const routes = app
    .route('/', systemRoutes)
    .route('/.well-known', wellKnownRoutes)
    .route('/api/v1/auth', authRoutes)
    .route('/api/v1/auth', accountRoutes)
    .route('/api/v1/auth', passkeyAuthRoutes)
    .route('/api/v1/oauth', oauthRoutes)
    .route('/api/v1/mfa', mfaRoutes)
    .route('/api/v1/users', userRoutes)
    .route('/api/v1/users', identityRoutes)
    .route('/api/v1/sessions', sessionRoutes)
    .route('/api/v1/passkeys', passkeyRoutes)
    .route('/api/v1/admin', adminRoutes);

  app.route('/', rootRoutes);
  app.route('/demo', demoRoutes);
  app.route('/admin', adminConsoleRoutes);
  // Workers keep no scrapeable state (each isolate counts alone), so there is no exposition and /metrics is 404.
  if (deps.metricsExposition && metricsServed(deps.config)) app.get('/metrics', metricsHandler(deps.metricsExposition, deps.config));
  // API.md: the dev mailbox exists only in development on Node, never in production and never on Workers.
  if (deps.config.devRoutesEnabled && isDevMailbox(deps.mailer)) app.route('/dev', devRoutes(deps.mailer));

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  const openApiConfig = {
    openapi: '3.1.0',
    info: { title: 'authgate', version: '1.0.0', description: 'Authentication and authorization service (API.md v1).' },
    servers: [{ url: deps.config.appUrl }],
  };
  app.get('/openapi.json', (c) => c.json(withConventionalResponses(app.getOpenAPI31Document(openApiConfig))));
  // The reference page and its assets come from this service (no CDN); the page sets its own CSP.
  app.route('/api-docs', apiDocsRoutes);

  const allowedMethods = allowedMethodsFinder(app);
  app.notFound((c) => {
    const allow = allowedMethods(c.req.path);
    if (allow.length > 0) {
      c.header('Allow', allow.join(', '));
      return errorResponse(c, 'METHOD_NOT_ALLOWED', `Method ${c.req.method} is not allowed here`);
    }
    return errorResponse(c, 'NOT_FOUND', 'Not found');
  });
  app.onError(handleError);
  return routes;
}

export function createApp(deps: AppDeps) {
  return buildApp(deps);
}

export type AppType = ReturnType<typeof buildApp>;
