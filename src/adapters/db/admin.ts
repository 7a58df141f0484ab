import type { AdminRepository } from '../../core/ports';
import { listAudit } from './admin-audit';
import { bootstrapSuperAdminStatement, changeRoleStatement, restoreStep, setEmailVerifiedStep } from './admin-statements';
import { runStep } from './atomic';
import { findAdminUser, listUsers } from './admin-users';
import { dashboardStatements } from './dashboard';
import type { Db } from './rows';

export function adminRepository(db: Db): AdminRepository {
  return {
    listUsers: (query) => listUsers(db, query),
    findUser: (id) => findAdminUser(db, id),
    changeRole: (id, role, now) => changeRoleStatement(db, id, role, now),
    setEmailVerified: (id, verified, now) => runStep(db, setEmailVerifiedStep(id, verified, now)),
    restore: (id, now) => runStep(db, restoreStep(id, now)),
    listAudit: (query) => listAudit(db, query),
    dashboard: (range) => dashboardStatements(db, range),
    bootstrapSuperAdmin: (candidate, marker) => bootstrapSuperAdminStatement(db, candidate, marker),
  };
}
