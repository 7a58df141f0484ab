import { sql } from 'drizzle-orm';
import type { Database } from '../../core/ports';
import { adminRepository } from './admin';
import { atomicOperation, transactionRunner, type BatchRunner } from './atomic';
import { atomicWrites } from './atomic-writes';
import { auditRepository } from './audit';
import { oauthAccountRepository } from './oauth-accounts';
import { mfaRepository } from './mfa';
import { oneTimeTokenRepository } from './one-time-tokens';
import { passkeyRepository } from './passkeys';
import { queryRows, type Db } from './rows';
import { secretRepository } from './secrets';
import { sessionRepository } from './sessions';
import { withUnavailableMapping } from './unavailable';
import type { UserRowCache } from './user-row-cache';
import { userRepository } from './users';

/**
 * One set of repositories over any drizzle Postgres database; the drivers differ only in how they connect and in how
 * they run an atomic batch (`runBatch`: a transaction by default; Neon HTTP passes its non-interactive batch).
 */
export function createDatabase(
  db: Db,
  kind: Database['kind'],
  close: () => Promise<void>,
  runBatch: BatchRunner = transactionRunner(db),
  userRows?: UserRowCache,
): Database {
  return {
    kind,
    atomic: atomicOperation(runBatch, atomicWrites),
    users: withUnavailableMapping(userRepository(db, userRows)),
    sessions: withUnavailableMapping(sessionRepository(db)),
    oneTimeTokens: withUnavailableMapping(oneTimeTokenRepository(db)),
    oauthAccounts: withUnavailableMapping(oauthAccountRepository(db)),
    mfa: withUnavailableMapping(mfaRepository(db)),
    audit: withUnavailableMapping(auditRepository(db)),
    admin: withUnavailableMapping(adminRepository(db)),
    secrets: withUnavailableMapping(secretRepository(db)),
    passkeys: withUnavailableMapping(passkeyRepository(db)),
    async ping() {
      await queryRows(db, sql`select 1`);
    },
    close,
  };
}
