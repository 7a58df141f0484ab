import { z } from '@hono/zod-openapi';
import { NameSchema, ok, pathParam } from './common';

// WebAuthn Level 3's JSON forms (what @simplewebauthn/browser and PublicKeyCredential.toJSON() produce): shapes and
// sizes are checked here, the contents by the verifier. Byte strings are unpadded base64url.

const Base64Url = z.string().max(16384).regex(/^[A-Za-z0-9_-]*$/, 'Expected unpadded base64url');
// A credential id is at most 1023 bytes (WebAuthn L2 §5.8.3): 1364 base64url characters.
const CredentialId = Base64Url.min(1).max(1364);
const Requirement = z.enum(['discouraged', 'preferred', 'required']);
const Attachment = z.enum(['platform', 'cross-platform']);
const Descriptor = z.object({ id: z.string(), type: z.string(), transports: z.array(z.string()).optional() });

export const CreationOptionsSchema = z
  .object({
    rp: z.object({ id: z.string().optional(), name: z.string() }),
    user: z.object({ id: z.string(), name: z.string(), displayName: z.string() }),
    challenge: z.string(),
    pubKeyCredParams: z.array(z.object({ alg: z.number().int(), type: z.literal('public-key') })),
    timeout: z.number().int().optional(),
    excludeCredentials: z.array(Descriptor).optional(),
    authenticatorSelection: z
      .object({
        authenticatorAttachment: Attachment.optional(),
        requireResidentKey: z.boolean().optional(),
        residentKey: Requirement.optional(),
        userVerification: Requirement.optional(),
      })
      .optional(),
    attestation: z.enum(['none', 'indirect', 'direct', 'enterprise']).optional(),
    extensions: z.object({ credProps: z.boolean().optional() }).optional(),
  })
  .openapi('PublicKeyCredentialCreationOptionsJSON');

export const RequestOptionsSchema = z
  .object({
    challenge: z.string(),
    timeout: z.number().int().optional(),
    rpId: z.string().optional(),
    allowCredentials: z.array(Descriptor).optional(),
    userVerification: Requirement.optional(),
  })
  .openapi('PublicKeyCredentialRequestOptionsJSON');

const credential = {
  id: CredentialId,
  rawId: CredentialId,
  type: z.literal('public-key'),
  authenticatorAttachment: Attachment.optional(),
  clientExtensionResults: z.object({ credProps: z.object({ rk: z.boolean().optional() }).optional() }),
};

export const RegistrationResponseSchema = z
  .object({
    ...credential,
    response: z.object({
      clientDataJSON: Base64Url.min(1),
      attestationObject: Base64Url.min(1),
      authenticatorData: Base64Url.optional(),
      transports: z.array(z.string().max(32)).max(16).optional(),
      publicKeyAlgorithm: z.number().int().optional(),
      publicKey: Base64Url.optional(),
    }),
  })
  .openapi('RegistrationResponseJSON');

export const AuthenticationResponseSchema = z
  .object({
    ...credential,
    response: z.object({
      clientDataJSON: Base64Url.min(1),
      authenticatorData: Base64Url.min(1),
      signature: Base64Url.min(1),
      userHandle: Base64Url.optional(),
    }),
  })
  .openapi('AuthenticationResponseJSON');

const ChallengeId = z.string().min(1).max(128);

export const PasskeyRegisterBody = z
  .object({ challengeId: ChallengeId, response: RegistrationResponseSchema, name: NameSchema.optional() })
  .openapi('PasskeyRegistrationRequest');

export const PasskeyLoginBody = z.object({ challengeId: ChallengeId, response: AuthenticationResponseSchema }).openapi('PasskeyLoginRequest');

export const PasskeyRenameBody = z.object({ name: NameSchema }).openapi('PasskeyRenameRequest');

export const PasskeyIdParam = z.object({ id: pathParam('id', 64) });

export const PasskeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    backedUp: z.boolean(),
    transports: z.array(z.string()),
  })
  .openapi('Passkey');

export const PasskeyResult = ok(z.object({ passkey: PasskeySchema })).openapi('PasskeyResult');
export const PasskeyList = ok(z.object({ passkeys: z.array(PasskeySchema) })).openapi('PasskeyList');
export const PasskeyDeleted = ok(z.object({ deleted: z.literal(true) }));
export const RegistrationOptionsResult = ok(z.object({ challengeId: z.string(), options: CreationOptionsSchema })).openapi('PasskeyRegistrationOptions');
export const LoginOptionsResult = ok(z.object({ challengeId: z.string(), options: RequestOptionsSchema })).openapi('PasskeyLoginOptions');
