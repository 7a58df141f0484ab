import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Metrics, MetricsExposition } from '../../core/metrics';

export interface PrometheusOptions {
  /** Live sessions now; read from the database on each scrape (one aggregate), so the gauge is never stale. */
  countActiveSessions(): Promise<number>;
  /** Told when that count fails; the scrape still answers with everything else. */
  onCollectError(error: unknown): void;
}

/**
 * How often prom-client's event-loop delay monitor samples, in ms (its default is 10). Each sample is a timer that
 * wakes the event loop: at 10 ms an idle server woke 100 times a second and spent about 12 ms of CPU a second doing so;
 * at 100, 3-4 ms. A blocking stretch of the loop still shows in `nodejs_eventloop_lag_*` whenever it overlaps a sample,
 * and any stall long enough to matter to a login (tens of milliseconds and up) overlaps one.
 */
export const EVENT_LOOP_SAMPLE_MS = 100;

/**
 * The Node metrics adapter (API.md "Metrics"). One registry per app instance, not prom-client's global one, so two
 * apps in one process (tests) never register a metric twice or count each other's traffic.
 */
export function createPrometheusMetrics(options: PrometheusOptions): { metrics: Metrics; exposition: MetricsExposition } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    // Argon2id logins take tens of milliseconds, health checks under one: buckets cover both ends.
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const logins = new Counter({
    name: 'auth_login_total',
    help: 'Finished sign-ins and refused sign-in steps by last factor (password, mfa, backup_code, oauth, passkey)',
    labelNames: ['method', 'result'] as const,
    registers: [registry],
  });
  const lockouts = new Counter({ name: 'auth_lockouts_total', help: 'Accounts locked after repeated failures', registers: [registry] });
  const rateLimitHits = new Counter({
    name: 'auth_rate_limit_hits_total',
    help: 'Requests refused by a rate limit, by rule',
    labelNames: ['rule'] as const,
    registers: [registry],
  });
  const refreshes = new Counter({
    name: 'auth_token_refresh_total',
    help: 'Refresh token presentations by result (rotated, grace, reuse, invalid)',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'auth_active_sessions',
    help: 'Sessions neither revoked nor expired',
    registers: [registry],
    async collect() {
      // A database outage is when the other figures matter most: the gauge keeps its last value rather than
      // failing the whole scrape (a rejected collect would turn /metrics into a 500).
      try {
        this.set(await options.countActiveSessions());
      } catch (error) {
        options.onCollectError(error);
      }
    },
  });

  const metrics: Metrics = {
    loginAttempt: (method, result) => logins.inc({ method, result }),
    lockout: () => lockouts.inc(),
    rateLimitHit: (rule) => rateLimitHits.inc({ rule }),
    tokenRefresh: (result) => refreshes.inc({ result }),
    httpRequest({ method, route, statusCode, durationSeconds }) {
      const labels = { method, route, status_code: String(statusCode) };
      requests.inc(labels);
      duration.observe(labels, durationSeconds);
    },
  };
  return { metrics, exposition: { contentType: registry.contentType, render: () => registry.metrics() } };
}
