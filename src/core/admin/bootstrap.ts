import { ConfigError } from '../../config';
import type { AuthServices } from '../auth';
import { newId } from '../crypto';
import type { CoreDeps } from '../deps';
import { normalizeEmail } from '../email';
import { describeError } from '../logger';
import { checkPasswordPolicy, normalizePassword } from '../password-policy';
import type { NewUser } from '../ports';

// The first SUPER_ADMIN, from ADMIN_EMAIL / ADMIN_PASSWORD. Node runs it at start-up, Workers on the first request
// of an isolate (and the operator CLI on demand). Once it has been applied for an e-mail, a marker in instance
// secrets says so: later starts cost one read, a password the admin has changed since is never touched, and an
// admin who gave up the role is not promoted again behind its back.

export const BOOTSTRAP_MARKER = 'admin_bootstrap_email';

export type BootstrapOutcome = 'already-applied' | 'created' | 'promoted' | 'deleted';

type Deps = Pick<CoreDeps, 'db' | 'passwords' | 'clock'>;

/**
 * A verified SUPER_ADMIN ready to insert (the operator chose this address, so it counts as verified), or why the
 * password is refused (the same policy as every password).
 */
export async function superAdminCandidate(
  deps: Pick<CoreDeps, 'passwords' | 'clock'>,
  services: Pick<AuthServices, 'isCommonPassword'>,
  email: string,
  password: string,
): Promise<{ candidate: NewUser; refused?: never } | { refused: string; candidate?: never }> {
  const problems = checkPasswordPolicy(password, email, services.isCommonPassword);
  if (problems.length > 0) return { refused: problems.map((p) => p.message).join('; ') };
  const passwordHash = await deps.passwords.hash(normalizePassword(password));
  const now = new Date(deps.clock.nowMs());
  return { candidate: { id: newId(), email, name: null, passwordHash, role: 'SUPER_ADMIN', emailVerifiedAt: now, createdAt: now } };
}

export async function ensureSuperAdmin(
  deps: Deps,
  services: Pick<AuthServices, 'isCommonPassword'>,
  admin: { email: string; password: string },
): Promise<BootstrapOutcome> {
  const email = normalizeEmail(admin.email);
  if ((await deps.db.secrets.get(BOOTSTRAP_MARKER)) === email) return 'already-applied';
  const made = await superAdminCandidate(deps, services, email, admin.password);
  if (made.refused !== undefined) throw new ConfigError(`setting ADMIN_PASSWORD is invalid: ${made.refused}`);
  return deps.db.admin.bootstrapSuperAdmin(made.candidate, { name: BOOTSTRAP_MARKER, value: email });
}

const applied = new WeakMap<object, Promise<BootstrapOutcome>>();

/**
 * ensureSuperAdmin at most once per set of dependencies (a Node process, a Workers isolate): after the first
 * success every caller gets the settled promise, so a request pays nothing. A failure is forgotten (the next caller
 * tries again) unless it is a bad setting, which no retry fixes.
 */
export function ensureSuperAdminOnce(deps: Deps & Pick<CoreDeps, 'config' | 'logger'>, services: Pick<AuthServices, 'isCommonPassword'>): Promise<BootstrapOutcome> | null {
  const admin = deps.config.admin;
  if (!admin) return null;
  let running = applied.get(deps);
  if (!running) {
    running = ensureSuperAdmin(deps, services, admin);
    applied.set(deps, running);
    running.then(
      (outcome) => {
        if (outcome === 'deleted') deps.logger.warn('ADMIN_EMAIL belongs to a deleted account; it was not made a SUPER_ADMIN (see `npm run admin`)');
        else if (outcome !== 'already-applied') deps.logger.info('ADMIN_EMAIL is a SUPER_ADMIN now', { outcome });
      },
      (error: unknown) => {
        deps.logger.error('ADMIN_EMAIL could not be made a SUPER_ADMIN', { err: describeError(error) });
        if (!(error instanceof ConfigError)) applied.delete(deps);
      },
    );
  }
  return running;
}
