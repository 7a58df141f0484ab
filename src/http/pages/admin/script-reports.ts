// The console script, part 3: the audit log and the 7-day dashboard, drawn as inline SVG from the API's JSON (no
// chart library). Bars use SVG presentation attributes, not style attributes, so the strict CSP allows them.
export const REPORTS_SCRIPT = `
loaders.audit = listView('audit-filters', 'audit', 'entries', async (state) => {
  const data = await api('GET', '/admin/audit-logs?' + query({ ...state.filters, page: state.page, limit: 50 }));
  fill($('audit-table').tBodies[0], data.items,
    (a) => [when(a.createdAt), a.action, a.outcome, a.userId || '—', a.actorId || '—', a.ipAddress || '—', JSON.stringify(a.metadata)]);
  return data;
});

const SERIES = [
  ['signups', 'Sign-ups', '#2457c5'],
  ['logins', 'Logins', '#1e8e3e'],
  ['failedLogins', 'Failed logins', '#d93025'],
  ['activeUsers', 'Active users', '#e37400'],
];
function svg(tag, attrs, text) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const name in attrs || {}) node.setAttribute(name, String(attrs[name]));
  if (text !== undefined) node.textContent = text;
  return node;
}
function renderDashboard(data) {
  const width = 760, height = 280, left = 44, top = 34, bottom = 30;
  const plot = height - top - bottom;
  const group = (width - left) / data.days.length;
  const bar = (group - 14) / SERIES.length;
  // The axis tops out at an even count, so its middle gridline is a whole number too (3 would label it "2" at 1.5).
  const highest = Math.max(0, ...data.days.flatMap((day) => SERIES.map(([key]) => day[key])));
  const max = Math.max(2, highest + (highest % 2));
  const chart = svg('svg', { viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'aria-labelledby': 'chart-title' });
  chart.append(svg('title', { id: 'chart-title' }, 'Sign-ups, logins, failed logins and active users per UTC day, last 7 days'));
  for (const share of [0, 0.5, 1]) {
    const y = top + plot - share * plot;
    chart.append(svg('line', { x1: left, x2: width, y1: y, y2: y, stroke: '#ddd' }));
    chart.append(svg('text', { x: left - 6, y: y + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#666' }, String(Math.round(share * max))));
  }
  data.days.forEach((day, i) => {
    const x = left + i * group + 7;
    SERIES.forEach(([key, label, color], j) => {
      const value = day[key];
      const h = (value / max) * plot;
      const rect = svg('rect', { x: x + j * bar, y: top + plot - h, width: Math.max(1, bar - 2), height: h, fill: color, 'data-series': key, 'data-date': day.date, 'data-value': value });
      rect.append(svg('title', {}, day.date + ' ' + label + ': ' + value));
      chart.append(rect);
    });
    chart.append(svg('text', { x: x + (group - 14) / 2, y: height - bottom + 18, 'text-anchor': 'middle', 'font-size': 11, fill: '#333' }, day.date.slice(5)));
  });
  SERIES.forEach(([, label, color], j) => {
    chart.append(svg('rect', { x: left + j * 160, y: 8, width: 10, height: 10, fill: color }));
    chart.append(svg('text', { x: left + j * 160 + 14, y: 17, 'font-size': 12, fill: '#333' }, label));
  });
  $('chart').replaceChildren(chart);
  const t = data.totals;
  const totals = [['Users', t.users], ['Verified', t.verifiedUsers], ['With MFA', t.mfaUsers], ['Active sessions', t.activeSessions], ['Locked', t.lockedUsers]];
  $('totals').replaceChildren(...totals.flatMap(([name, value]) => [el('dt', name), el('dd', value, { 'data-total': name })]));
}
loaders.dashboard = async function loadDashboard() { renderDashboard(await api('GET', '/admin/dashboard')); };
`;
