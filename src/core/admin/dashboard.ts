import type { CoreDeps } from '../deps';
import type { DashboardDayFigures, DashboardTotals } from '../ports';

// API.md: 7 daily UTC buckets, oldest first, the last one today; days without activity are zeros, not gaps.

export const DASHBOARD_DAYS = 7;
const DAY_MS = 24 * 3600 * 1000;

/** [midnight UTC six days ago, midnight UTC tomorrow) and the instant totals are taken at. */
export function dashboardRange(nowMs: number): { from: Date; before: Date; now: Date } {
  const todayStartMs = Math.floor(nowMs / DAY_MS) * DAY_MS;
  return { from: new Date(todayStartMs - (DASHBOARD_DAYS - 1) * DAY_MS), before: new Date(todayStartMs + DAY_MS), now: new Date(nowMs) };
}

export interface Dashboard {
  days: DashboardDayFigures[];
  totals: DashboardTotals;
}

export async function dashboard(deps: Pick<CoreDeps, 'db' | 'clock'>): Promise<Dashboard> {
  const range = dashboardRange(deps.clock.nowMs());
  const figures = await deps.db.admin.dashboard(range);
  const byDate = new Map(figures.days.map((day) => [day.date, day]));
  const days = Array.from({ length: DASHBOARD_DAYS }, (_, i) => {
    const date = new Date(range.from.getTime() + i * DAY_MS).toISOString().slice(0, 10);
    return byDate.get(date) ?? { date, signups: 0, logins: 0, failedLogins: 0, activeUsers: 0 };
  });
  return { days, totals: figures.totals };
}
