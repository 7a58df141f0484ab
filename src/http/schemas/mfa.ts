import { z } from '@hono/zod-openapi';
import { PasswordSchema, TokenPairShape, UserSchema, ok } from './common';

/** Bearer routes: a code that is not 6 digits is a 400 naming the field. */
export const TotpCodeSchema = z
  .string()
  .regex(/^\d{6}$/, 'A code is 6 digits')
  .openapi({ example: '123456', description: 'The current code of the authenticator app (RFC 6238: SHA-1, 6 digits, 30 s)' });

export const VerifyMfaBody = z.object({ code: TotpCodeSchema }).openapi('VerifyMfaRequest');
export const PasswordAndCodeBody = z.object({ password: PasswordSchema, code: TotpCodeSchema }).openapi('PasswordAndCodeRequest');

// Public routes: any string of a sane length reaches the core, where a malformed code or mfaToken fails exactly like
// a wrong one (the generic 401), so the answer never says which part was wrong.
const MfaTokenField = z.string().max(4096).openapi({ description: 'From the password step of /auth/login' });
export const MfaLoginBody = z
  .object({ mfaToken: MfaTokenField, code: z.string().max(64).openapi({ example: '123456' }) })
  .openapi('MfaLoginRequest');
export const BackupCodeLoginBody = z
  .object({
    mfaToken: MfaTokenField,
    code: z.string().max(64).openapi({ example: '7mx2k-q9d4z', description: 'One of the backup codes; case, spaces and hyphens do not matter' }),
  })
  .openapi('BackupCodeLoginRequest');

const BackupCodes = z.array(z.string()).length(8).openapi({ description: 'Shown once; each works once' });

export const EnrolmentResult = ok(
  z.object({
    secret: z.string().openapi({ description: 'Base32 TOTP secret for manual entry; never shown again' }),
    otpauthUrl: z.string().openapi({ example: 'otpauth://totp/auth.example.com:ada%40example.com?issuer=auth.example.com&secret=...' }),
    qrCodeSvg: z.string().openapi({ description: 'The otpauthUrl as an SVG QR code' }),
    backupCodes: BackupCodes,
  }),
).openapi('MfaEnrolment');

export const MfaEnabled = ok(z.object({ mfaEnabled: z.literal(true) }));
export const MfaDisabled = ok(z.object({ mfaEnabled: z.literal(false) }));
export const BackupCodesResult = ok(z.object({ backupCodes: BackupCodes })).openapi('BackupCodes');
export const MfaLoginResult = ok(z.object({ user: UserSchema, ...TokenPairShape })).openapi('MfaLoginResult');
export const BackupCodeLoginResult = ok(
  z.object({ user: UserSchema, ...TokenPairShape, remainingBackupCodes: z.number().int() }),
).openapi('BackupCodeLoginResult');
