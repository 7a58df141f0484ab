import { and, count, eq, getTableColumns, gt, gte, isNotNull, isNull, like, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { AdminUserRecord, PageOf, UserListQuery } from '../../core/ports';
import { stringArray, type Db } from './rows';
import { users } from './schema';

// The admin's reads of users: one filtered page and its total, or one user, each with its linked OAuth providers.

/** LIKE's wildcards (and its escape character) taken literally: a search for "a_b%" finds exactly that text. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

// Qualified by hand: drizzle renders ${users.id} as a bare "id", which inside this subquery would mean o.id.
const oauthProviders = sql<unknown>`coalesce((select jsonb_agg(o.provider order by o.provider) from oauth_accounts as o where o.user_id = users.id), '[]'::jsonb)`;

const adminColumns = { ...getTableColumns(users), oauthProviders };

type AdminRow = Omit<AdminUserRecord, 'oauthProviders'> & { oauthProviders: unknown };

const toAdminRecord = (row: AdminRow): AdminUserRecord => ({ ...row, oauthProviders: stringArray(row.oauthProviders) });

function filters(query: UserListQuery): SQL | undefined {
  const { now } = query;
  const status = {
    deleted: isNotNull(users.deletedAt),
    locked: and(isNull(users.deletedAt), gt(users.lockedUntil, now)),
    active: and(isNull(users.deletedAt), or(isNull(users.lockedUntil), lte(users.lockedUntil, now))),
  };
  return and(
    query.role ? eq(users.role, query.role) : undefined,
    query.status ? status[query.status] : undefined,
    // Stored e-mails are lower case (normalised on the way in), so a lower-cased search is a case-insensitive one.
    query.search ? like(users.email, `%${escapeLike(query.search.toLowerCase())}%`) : undefined,
    query.createdFrom ? gte(users.createdAt, query.createdFrom) : undefined,
    query.createdBefore ? lt(users.createdAt, query.createdBefore) : undefined,
  );
}

function ordering(query: UserListQuery): SQL[] {
  const direction = query.sortOrder === 'asc' ? sql`asc` : sql`desc`;
  // Orders an index can serve forwards or backwards: "never logged in" counts as the oldest login (first going up,
  // last going down), which is what users_last_login_at_idx (asc, nulls first) holds. The id keeps pages stable.
  const column =
    query.sortBy === 'lastLoginAt'
      ? sql`${users.lastLoginAt} ${direction} ${query.sortOrder === 'asc' ? sql`nulls first` : sql`nulls last`}`
      : sql`${query.sortBy === 'email' ? users.email : users.createdAt} ${direction}`;
  return [column, sql`${users.id} ${direction}`];
}

export async function listUsers(db: Db, query: UserListQuery): Promise<PageOf<AdminUserRecord>> {
  const where = filters(query);
  const [rows, [total]] = await Promise.all([
    db
      .select(adminColumns)
      .from(users)
      .where(where)
      .orderBy(...ordering(query))
      .limit(query.limit)
      .offset((query.page - 1) * query.limit),
    db.select({ n: count() }).from(users).where(where),
  ]);
  return { items: rows.map(toAdminRecord), total: total?.n ?? 0 };
}

export async function findAdminUser(db: Db, id: string): Promise<AdminUserRecord | null> {
  const [row] = await db.select(adminColumns).from(users).where(eq(users.id, id)).limit(1);
  return row ? toAdminRecord(row) : null;
}
