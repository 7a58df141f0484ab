// The domain's error vocabulary. Only src/http/errors.ts turns a code into an HTTP status.

export type ErrorCode =
  | 'VALIDATION_ERROR'
  | 'AUTHENTICATION_ERROR'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_REUSE_DETECTED'
  | 'MFA_REQUIRED'
  | 'AUTHORIZATION_ERROR'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'RATE_LIMITED'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL_ERROR';

export interface ErrorDetail {
  path: string;
  message: string;
}

export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
    /** Extra fields for the envelope, e.g. `reason` of a bad one-time link. */
    readonly extra?: Record<string, string>,
  ) {
    super(message);
  }
}

/** The one message every failed login gets, whatever the reason (no account enumeration). */
export const INVALID_CREDENTIALS = 'Invalid email or password';

export const invalidCredentials = () => new AppError('AUTHENTICATION_ERROR', INVALID_CREDENTIALS);

/** A backing store failed where carrying on would be unsafe (fail closed). */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
  constructor(readonly store: 'database' | 'key-value', cause: unknown) {
    super(`${store} unavailable`, { cause });
  }
}

/** An atomic write lost a race for a unique key (an e-mail, a linked identity): nothing of it was written. */
export class WriteConflictError extends Error {
  override name = 'WriteConflictError';
  constructor(cause: unknown) {
    super('a concurrent write took a unique key first', { cause });
  }
}

/** A sign-in provider cannot be reached (OpenID discovery failed or timed out): that provider is unavailable, the rest carries on. */
export class ProviderUnavailableError extends Error {
  override name = 'ProviderUnavailableError';
  constructor(readonly provider: string, cause?: unknown) {
    super(`sign-in provider ${provider} unavailable`, { cause });
  }
}
