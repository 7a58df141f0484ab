import { z } from '@hono/zod-openapi';
import { normalizeEmail } from '../../core/email';

export const ErrorSchema = z
  .object({
    success: z.literal(false),
    error: z.object({
      code: z.string().openapi({ example: 'VALIDATION_ERROR' }),
      message: z.string(),
      statusCode: z.number().int(),
      requestId: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
      reason: z.string().optional(),
    }),
  })
  .openapi('Error');

/** `{ success: true, data }` around a payload schema. */
export function ok<T extends z.ZodType>(data: T) {
  return z.object({ success: z.literal(true), data });
}

export function jsonContent<T extends z.ZodType>(schema: T, description: string) {
  return { content: { 'application/json': { schema } }, description };
}

export function jsonBody<T extends z.ZodType>(schema: T) {
  return { content: { 'application/json': { schema } }, required: true };
}

export const errorResponses = (...statuses: Array<400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 503>) =>
  Object.fromEntries(statuses.map((s) => [s, jsonContent(ErrorSchema, 'Error')])) as Record<number, ReturnType<typeof jsonContent>>;

const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * A path parameter (an opaque id, a provider, a link token): 1..maxLength characters and no control character. A NUL
 * reached PostgreSQL, which cannot hold one in text, and came back as a 500 (found by test/http/fuzz.test.ts).
 */
export function pathParam(name: string, maxLength: number, example?: string) {
  return z
    .string()
    .min(1)
    .max(maxLength)
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'Must not contain control characters')
    .openapi({ param: { name, in: 'path' }, ...(example ? { example } : {}) });
}

/** API.md: trimmed, NFKC, lower-cased. CR/LF and other control characters are refused (header injection in mail). */
export const EmailSchema = z
  .string()
  .max(320)
  .refine((v) => !CONTROL.test(v), 'E-mail must not contain control characters')
  .transform(normalizeEmail)
  .pipe(z.email('Invalid e-mail address').max(254))
  .openapi({ example: 'ada@example.com', type: 'string', format: 'email' });

export const NameSchema = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .refine((v) => !CONTROL.test(v), 'Name must not contain control characters')
  .openapi({ example: 'Ada Lovelace' });

/** Length bounds are the policy's job (after NFKC); this only caps what we are willing to read. */
export const PasswordSchema = z.string().min(1).max(1024).openapi({ example: 'correct horse battery staple', format: 'password' });

export const UserSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string().nullable(),
    role: z.enum(['USER', 'ADMIN', 'SUPER_ADMIN']),
    emailVerified: z.boolean(),
    mfaEnabled: z.boolean(),
    createdAt: z.string(),
    lastLoginAt: z.string().nullable(),
  })
  .openapi('User');

export const TokenPairShape = {
  accessToken: z.string(),
  refreshToken: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int(),
};

export const bearerSecurity = [{ bearerAuth: [] }];
