import type { AdminRepository } from '../../core/ports';
import { listAudit } from './admin-audit';
import { bootstrapSuperAdminStatement, changeRoleStatement, restoreStatement, setEmailVerifiedStatement } from './admin-statements';
import { findAdminUser, listUsers } from './admin-users';
import { dashboardStatements } from './dashboard';
import type { Db } from './rows';

export function adminRepository(db: Db): AdminRepository {
  return {
    listUsers: (query) => listUsers(db, query),
    findUser: (id) => findAdminUser(db, id),
    changeRole: (id, role, now) => changeRoleStatement(db, id, role, now),
    setEmailVerified: (id, verified, now) => setEmailVerifiedStatement(db, id, verified, now),
    restore: (id, now) => restoreStatement(db, id, now),
    listAudit: (query) => listAudit(db, query),
    dashboard: (range) => dashboardStatements(db, range),
    bootstrapSuperAdmin: (candidate, marker) => bootstrapSuperAdminStatement(db, candidate, marker),
  };
}
