import { z } from '@hono/zod-openapi';
import { SessionSchema } from '../routes/sessions';
import { UserSchema, bearerSecurity, ok, pathParam } from './common';

// Shapes of the admin API (API.md "Admin", "Objects").

/** What every admin route declares: its tag, and the bearer token the admin gate checks. */
export const adminRoute = { tags: ['admin'], security: bearerSecurity };

const Role = z.enum(['USER', 'ADMIN', 'SUPER_ADMIN']);

/** A day (YYYY-MM-DD, UTC) or an instant with an offset. */
const DateOrInstant = z.union([z.iso.date(), z.iso.datetime({ offset: true })]).openapi({ example: '2030-01-31' });

const paging = {
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(20),
};

export const UserListQuery = z.object({
  ...paging,
  role: Role.optional(),
  status: z.enum(['active', 'locked', 'deleted']).optional(),
  search: z.string().trim().min(1).max(254).optional().openapi({ description: 'Substring of the e-mail, taken literally (% and _ are not wildcards)' }),
  dateFrom: DateOrInstant.optional().openapi({ description: 'Created at or after (a day means its start, UTC)' }),
  dateTo: DateOrInstant.optional().openapi({ description: 'Created at or before (a day means its whole day, UTC)' }),
  sortBy: z.enum(['createdAt', 'email', 'lastLoginAt']).default('createdAt'),
  sortOrder: z.enum(['asc', 'desc']).default('desc'),
});

export const AuditQuery = z.object({
  ...paging,
  userId: z.string().min(1).max(64).optional(),
  action: z.string().regex(/^[A-Z_]{1,64}$/).optional().openapi({ example: 'LOGIN_FAILURE' }),
  outcome: z.enum(['success', 'failure']).optional(),
  dateFrom: DateOrInstant.optional(),
  dateTo: DateOrInstant.optional(),
});

export const UserIdParam = z.object({ id: pathParam('id', 64) });

// Unknown fields are refused rather than ignored: a misspelt `lockd: true` must not answer 200 and change nothing.
export const UserPatchBody = z
  .strictObject({ role: Role.optional(), locked: z.boolean().optional(), emailVerified: z.boolean().optional(), deleted: z.boolean().optional() })
  .openapi('AdminUserPatch');

export const AdminUserSchema = UserSchema.extend({
  lockedUntil: z.string().nullable(),
  deletedAt: z.string().nullable(),
  failedLoginCount: z.number().int(),
  oauthProviders: z.array(z.string()),
}).openapi('AdminUser');

export const AuditEntrySchema = z
  .object({
    id: z.string(),
    createdAt: z.string(),
    action: z.string(),
    outcome: z.enum(['success', 'failure']),
    userId: z.string().nullable(),
    actorId: z.string().nullable(),
    ipAddress: z.string().nullable(),
    userAgent: z.string().nullable(),
    requestId: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
  })
  .openapi('AuditEntry');

const pageOf = <T extends z.ZodType>(item: T) =>
  ok(z.object({ items: z.array(item), page: z.number().int(), limit: z.number().int(), total: z.number().int(), totalPages: z.number().int() }));

export const UserPage = pageOf(AdminUserSchema).openapi('AdminUserPage');
export const AuditPage = pageOf(AuditEntrySchema).openapi('AuditPage');
export const AdminUserResult = ok(z.object({ user: AdminUserSchema })).openapi('AdminUserResult');
export const UserDetailResult = ok(
  z.object({ user: AdminUserSchema, sessions: z.array(SessionSchema), recentAudit: z.array(AuditEntrySchema) }),
).openapi('AdminUserDetail');
export const SessionsRevoked = ok(z.object({ revoked: z.number().int() }));

export const DashboardResult = ok(
  z.object({
    days: z.array(z.object({ date: z.string(), signups: z.number().int(), logins: z.number().int(), failedLogins: z.number().int(), activeUsers: z.number().int() })),
    totals: z.object({ users: z.number().int(), verifiedUsers: z.number().int(), mfaUsers: z.number().int(), activeSessions: z.number().int(), lockedUsers: z.number().int() }),
  }),
).openapi('AdminDashboard');

const DAY_MS = 24 * 3600 * 1000;

/** The start of a `dateFrom`: a day means its first instant (UTC). */
export function fromBound(value: string | undefined): Date | undefined {
  return value === undefined ? undefined : new Date(value);
}

/** The exclusive end of a `dateTo`: a day includes its whole day (UTC), an instant includes itself. */
export function beforeBound(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const at = new Date(value);
  return new Date(at.getTime() + (/^\d{4}-\d{2}-\d{2}$/.test(value) ? DAY_MS : 1));
}
