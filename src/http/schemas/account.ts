import { z } from '@hono/zod-openapi';
import { EmailSchema, PasswordSchema, ok, pathParam } from './common';

export const LinkTokenParam = z.object({
  token: pathParam('token', 256, 'k1Xr…'),
});

export const ForgotPasswordBody = z.object({ email: EmailSchema }).openapi('ForgotPasswordRequest');
export const ResetPasswordBody = z.object({ password: PasswordSchema }).openapi('ResetPasswordRequest');
export const ChangePasswordBody = z
  .object({ currentPassword: PasswordSchema, newPassword: PasswordSchema })
  .openapi('ChangePasswordRequest');

export const EmailVerified = ok(z.object({ emailVerified: z.literal(true) }));
export const Sent = ok(z.object({ sent: z.literal(true) }));
export const ResetDone = ok(z.object({ reset: z.literal(true) }));
export const Changed = ok(z.object({ changed: z.literal(true) }));
