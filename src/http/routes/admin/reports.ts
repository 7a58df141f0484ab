import { createRoute } from '@hono/zod-openapi';
import { dashboard } from '../../../core/admin/dashboard';
import { listAudit } from '../../../core/admin/users';
import { createRouter } from '../../router';
import { AuditPage, AuditQuery, DashboardResult, adminRoute, beforeBound, fromBound } from '../../schemas/admin';
import { errorResponses, jsonContent } from '../../schemas/common';

// The audit trail (read only: nothing anywhere updates or deletes a row) and the 7-day dashboard.


const auditRoute = createRoute({
  ...adminRoute,
  method: 'get',
  path: '/audit-logs',
  summary: 'The audit trail, newest first, filtered and paged',
  request: { query: AuditQuery },
  responses: { 200: jsonContent(AuditPage, 'A page of audit entries'), ...errorResponses(400, 401, 403, 429, 503) },
});

const dashboardRoute = createRoute({
  ...adminRoute,
  method: 'get',
  path: '/dashboard',
  summary: 'Seven daily UTC buckets (oldest first, the last is today) and totals',
  responses: { 200: jsonContent(DashboardResult, 'The dashboard'), ...errorResponses(401, 403, 429, 503) },
});

export const adminReportRoutes = createRouter()
  .openapi(auditRoute, async (c) => {
    const { dateFrom, dateTo, ...query } = c.req.valid('query');
    const page = await listAudit(c.get('deps'), { ...query, from: fromBound(dateFrom), before: beforeBound(dateTo) });
    return c.json({ success: true as const, data: page }, 200);
  })
  .openapi(dashboardRoute, async (c) => {
    return c.json({ success: true as const, data: await dashboard(c.get('deps')) }, 200);
  });
