import { z } from '@hono/zod-openapi';
import { EmailSchema, NameSchema, PasswordSchema, TokenPairShape, UserSchema, ok } from './common';

export const RegisterBody = z
  .object({ email: EmailSchema, password: PasswordSchema, name: NameSchema.optional() })
  .openapi('RegisterRequest');

export const LoginBody = z.object({ email: EmailSchema, password: PasswordSchema }).openapi('LoginRequest');

// Generous cap: anything not shaped like our tokens (an access token, say) must reach the core and get 401, not 400.
export const RefreshBody = z.object({ refreshToken: z.string().min(1).max(4096) }).openapi('RefreshRequest');

export const SessionTokens = ok(z.object({ user: UserSchema, ...TokenPairShape })).openapi('AuthResult');

export const LoginResult = ok(
  z.union([
    z.object({ mfaRequired: z.literal(false), user: UserSchema, ...TokenPairShape }),
    z.object({ mfaRequired: z.literal(true), mfaToken: z.string(), expiresIn: z.number().int() }),
  ]),
).openapi('LoginResult');

export const TokenPairResult = ok(z.object(TokenPairShape)).openapi('TokenPair');

export const LoggedOut = ok(z.object({ loggedOut: z.literal(true) }));
