import { describe, expect, it } from 'vitest';
import { createPrometheusMetrics } from '../../src/adapters/metrics/prometheus';
import { sampleValue } from '../support/prometheus-text';

describe('the prom-client metrics adapter', () => {
  it('still answers a scrape when live sessions cannot be counted, and says why', async () => {
    const errors: unknown[] = [];
    const { metrics, exposition } = createPrometheusMetrics({
      countActiveSessions: () => Promise.reject(new Error('database unavailable')),
      onCollectError: (error) => errors.push(error),
    });
    metrics.lockout();
    const text = await exposition.render();
    expect(sampleValue(text, 'auth_lockouts_total')).toBe(1);
    expect(errors).toHaveLength(1);
  });

  it('keeps two instances apart (one registry each)', async () => {
    const options = { countActiveSessions: async () => 3, onCollectError: () => {} };
    const first = createPrometheusMetrics(options);
    const second = createPrometheusMetrics(options);
    first.metrics.tokenRefresh('reuse');
    expect(sampleValue(await first.exposition.render(), 'auth_token_refresh_total', { result: 'reuse' })).toBe(1);
    const other = await second.exposition.render();
    expect(sampleValue(other, 'auth_token_refresh_total', { result: 'reuse' })).toBe(0);
    expect(sampleValue(other, 'auth_active_sessions')).toBe(3);
  });
});
