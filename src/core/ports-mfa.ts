// The MFA part of the Database port (TOTP enrolment, the step guard, backup codes).
import type { UserRecord } from './ports';

/**
 * TOTP enrolment, the replay guard and backup codes. Every operation is one conditional statement on the user row as
 * it is now, so a concurrent enrolment, use or disabling decides inside the database, never in a read-then-write.
 */
export interface MfaRepository {
  /**
   * Stores a pending enrolment while MFA is off: the encrypted secret (replacing any earlier pending one), a cleared
   * step guard, and the backup-code hashes replacing any earlier set. False when MFA is on or the user is gone.
   */
  savePending(userId: string, enrolment: { secretEncrypted: string; backupCodeHashes: readonly string[] }, now: Date): Promise<boolean>;
  /**
   * Turns MFA on with `step` as the last used TOTP step, only while it is off and the stored secret is still
   * `secretEncrypted` (the one the code was checked against). False otherwise.
   */
  activate(userId: string, secretEncrypted: string, step: number, now: Date): Promise<boolean>;
  /**
   * The replay guard: records `step` as the last used TOTP step only when MFA is on and `step` is newer than the
   * stored one. False means the step (or a later one) was already used: of two racing uses, exactly one wins.
   */
  useTotpStep(userId: string, step: number, now: Date): Promise<boolean>;
  /** Replaces the encrypted secret only while it is still `expected` (compare-and-set; key migration). */
  replaceSecret(userId: string, expected: string, secretEncrypted: string, now: Date): Promise<boolean>;
  /** Spends one unused backup code of a user with MFA on; the unused count left, or null when there was no such code. */
  useBackupCode(userId: string, codeHash: string, now: Date): Promise<{ remaining: number } | null>;
  /** Replaces the whole backup-code set while MFA is on (the old codes stop working); false when MFA is off. */
  replaceBackupCodes(userId: string, codeHashes: readonly string[], now: Date): Promise<boolean>;
  /**
   * Turns MFA off: secret, step guard and backup codes are gone and the security stamp rotates in the same statement;
   * `keepSessionId` carries that session over to the new stamp. Null when MFA was not on.
   */
  disable(userId: string, now: Date, keepSessionId?: string): Promise<UserRecord | null>;
}
