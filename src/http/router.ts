import { OpenAPIHono } from '@hono/zod-openapi';
import { AppError } from '../core/errors';
import type { AppEnv } from './env';

/** A route group. Schema failures become 400 VALIDATION_ERROR with `details` naming each field. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const details = result.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
        throw new AppError('VALIDATION_ERROR', 'Request validation failed', details);
      }
    },
  });
}
