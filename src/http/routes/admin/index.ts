import { authenticate } from '../../middleware/authenticate';
import { authorize } from '../../middleware/authorize';
import { requireUser } from '../../middleware/require-user';
import { createRouter } from '../../router';
import { adminReportRoutes } from './reports';
import { adminUserRoutes } from './users';

// /api/v1/admin: the admin gate is mounted once here, before every admin route (DESIGN.md "the admin gate"): a valid
// token, the caller re-read from the database (deleted or locked: 401), an admin role as the database has it now
// (403 AUTHORIZATION_ERROR), and with ADMIN_MFA_REQUIRED a session that passed a second factor (403 MFA_REQUIRED).
// Unknown paths under /admin get the gate's answer too, so the route table is not probed without a token.

const gated = createRouter();
gated.use('*', authenticate(), requireUser(), authorize({ roles: ['ADMIN', 'SUPER_ADMIN'], mfa: true }));

export const adminRoutes = gated.route('/users', adminUserRoutes).route('/', adminReportRoutes);
