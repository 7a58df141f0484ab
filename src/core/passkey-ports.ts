// The passkey ports (re-exported by ports.ts): the stored credentials, and the WebAuthn ceremony checks, which an
// adapter does (src/adapters/webauthn) so the domain stays free of CBOR and WebCrypto. The JSON shapes are WebAuthn Level 3's
// `*JSON` dictionaries, the form @simplewebauthn/browser and `PublicKeyCredential.toJSON()` produce; byte strings
// are base64url.

export interface PasskeyRecord {
  /** Our id for the passkey (what the API shows); never the credential id. */
  id: string;
  userId: string;
  /** The authenticator's credential id, base64url; registered once across all users. */
  credentialId: string;
  /** COSE_Key, base64url. */
  publicKey: string;
  signCount: number;
  transports: string[];
  backedUp: boolean;
  aaguid: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export type NewPasskey = Omit<PasskeyRecord, 'lastUsedAt'>;

export interface PasskeyRepository {
  /** Stores the passkey; null when its credential id is registered already (by anyone), which changes nothing. */
  create(passkey: NewPasskey): Promise<PasskeyRecord | null>;
  findByCredentialId(credentialId: string): Promise<PasskeyRecord | null>;
  /** Oldest first. */
  listForUser(userId: string): Promise<PasskeyRecord[]>;
  /** Renames one of this user's passkeys; null when it is not theirs or does not exist. */
  rename(userId: string, id: string, name: string): Promise<PasskeyRecord | null>;
  /**
   * Deletes one of this user's passkeys unless it is their last way to sign in (no password, no linked identity, no
   * other passkey), decided in one statement; not_found when it is not theirs or does not exist.
   */
  remove(userId: string, id: string): Promise<'removed' | 'not_found' | 'last_sign_in_method'>;
  /**
   * Stores a verified assertion's counter in one conditional statement, only while it moves the stored one forward
   * or both are 0 (authenticators without a counter, such as synced passkeys). False when the counter would stay or
   * go back (two logins raced with one count, or a clone) or the passkey is gone.
   */
  recordUse(id: string, use: { signCount: number; backedUp: boolean; usedAt: Date }): Promise<boolean>;
}

export interface PasskeyDescriptor {
  id: string;
  /** Always "public-key" today; typed as the JSON dictionary types it. */
  type: string;
  transports?: string[];
}

type Requirement = 'discouraged' | 'preferred' | 'required';

/** PublicKeyCredentialCreationOptionsJSON, for navigator.credentials.create(). */
export interface PasskeyCreationOptions {
  rp: { id?: string; name: string };
  user: { id: string; name: string; displayName: string };
  challenge: string;
  pubKeyCredParams: { alg: number; type: 'public-key' }[];
  timeout?: number;
  excludeCredentials?: PasskeyDescriptor[];
  authenticatorSelection?: {
    authenticatorAttachment?: 'platform' | 'cross-platform';
    requireResidentKey?: boolean;
    residentKey?: Requirement;
    userVerification?: Requirement;
  };
  attestation?: 'none' | 'indirect' | 'direct' | 'enterprise';
  extensions?: { credProps?: boolean };
}

/** PublicKeyCredentialRequestOptionsJSON, for navigator.credentials.get(). */
export interface PasskeyRequestOptions {
  challenge: string;
  timeout?: number;
  rpId?: string;
  allowCredentials?: PasskeyDescriptor[];
  userVerification?: Requirement;
}

interface CredentialJSON {
  id: string;
  rawId: string;
  type: 'public-key';
  authenticatorAttachment?: 'platform' | 'cross-platform';
  clientExtensionResults: { credProps?: { rk?: boolean } };
}

/** RegistrationResponseJSON: what navigator.credentials.create() made, as JSON. */
export interface PasskeyRegistrationResponse extends CredentialJSON {
  response: {
    clientDataJSON: string;
    attestationObject: string;
    authenticatorData?: string;
    transports?: string[];
    publicKeyAlgorithm?: number;
    publicKey?: string;
  };
}

/** AuthenticationResponseJSON: what navigator.credentials.get() made, as JSON. */
export interface PasskeyAuthenticationResponse extends CredentialJSON {
  response: { clientDataJSON: string; authenticatorData: string; signature: string; userHandle?: string };
}

/** Which check refused a response (for the audit trail; never shown to a signing-in client). */
export type PasskeyRefusal = 'challenge' | 'origin' | 'rp_id' | 'type' | 'user_presence' | 'signature' | 'attestation' | 'malformed';

export type PasskeyCheck<T> = ({ verified: true } & T) | { verified: false; reason: PasskeyRefusal };

/** What a verified registration yields: the credential to store, and whether the user was verified making it. */
export type VerifiedPasskeyRegistration = Pick<PasskeyRecord, 'credentialId' | 'publicKey' | 'signCount' | 'transports' | 'backedUp' | 'aaguid'> & {
  userVerified: boolean;
};

export interface VerifiedPasskeyAssertion {
  signCount: number;
  userVerified: boolean;
  backedUp: boolean;
}

/**
 * The ceremonies' checks. `challenge` is ours (base64url, made by the caller and kept as a one-time secret). Both
 * verifications check the challenge, the origin (only the configured ones), the RP ID hash and the user-present flag;
 * an assertion also its signature over the stored public key. Anything wrong or malformed is refused, never thrown.
 */
export interface PasskeyVerifier {
  registrationOptions(input: {
    challenge: string;
    user: { handle: string; name: string; displayName: string };
    exclude: Pick<PasskeyRecord, 'credentialId' | 'transports'>[];
  }): Promise<PasskeyCreationOptions>;
  authenticationOptions(input: { challenge: string }): Promise<PasskeyRequestOptions>;
  verifyRegistration(response: PasskeyRegistrationResponse, challenge: string): Promise<PasskeyCheck<VerifiedPasskeyRegistration>>;
  /** The sign count is left to the caller, who alone knows the stored one's policy and audits a clone. */
  verifyAuthentication(
    response: PasskeyAuthenticationResponse,
    challenge: string,
    credential: Pick<PasskeyRecord, 'credentialId' | 'publicKey'>,
  ): Promise<PasskeyCheck<VerifiedPasskeyAssertion>>;
}
