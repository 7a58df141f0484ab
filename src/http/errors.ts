import { describeError, stackFrames } from '../core/logger';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError, StoreUnavailableError, type ErrorCode, type ErrorDetail } from '../core/errors';
import type { AppEnv } from './env';

// The one table from error code to HTTP status (API.md "Error codes").
export const STATUS_BY_CODE = {
  VALIDATION_ERROR: 400,
  AUTHENTICATION_ERROR: 401,
  TOKEN_EXPIRED: 401,
  TOKEN_REUSE_DETECTED: 401,
  MFA_REQUIRED: 403,
  AUTHORIZATION_ERROR: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
} as const satisfies Record<ErrorCode, ContentfulStatusCode>;

export interface ErrorBody {
  success: false;
  error: {
    code: ErrorCode;
    message: string;
    statusCode: number;
    requestId: string;
    details?: ErrorDetail[];
    reason?: string;
  };
}

export function errorResponse(c: Context<AppEnv>, code: ErrorCode, message: string, details?: ErrorDetail[], extra?: Record<string, string>) {
  const status = STATUS_BY_CODE[code];
  const body: ErrorBody = {
    success: false,
    error: { code, message, statusCode: status, requestId: c.get('requestId') ?? '', ...(details ? { details } : {}), ...extra },
  };
  return c.json(body, status);
}

/** The single onError: every thrown error becomes the envelope; a 500 never shows its internals. */
export function handleError(error: unknown, c: Context<AppEnv>) {
  if (error instanceof AppError) return errorResponse(c, error.code, error.message, error.details, error.extra);
  if (error instanceof StoreUnavailableError) {
    c.get('logger')?.error('backing store unavailable', { store: error.store, err: describeError(error.cause) });
    return errorResponse(c, 'SERVICE_UNAVAILABLE', 'A backing service is unavailable; try again shortly');
  }
  if (error instanceof HTTPException && error.status === 400) {
    // Hono's own validator throws this for a body that is not valid JSON.
    return errorResponse(c, 'VALIDATION_ERROR', 'Malformed JSON in request body', [{ path: '', message: 'Malformed JSON' }]);
  }
  c.get('logger')?.error('unhandled error', {
    err: describeError(error),
    stack: stackFrames(error),
    method: c.req.method,
    path: c.req.path,
  });
  return errorResponse(c, 'INTERNAL_ERROR', 'Internal server error');
}
