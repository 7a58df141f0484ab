// The shipped Prometheus config and Grafana dashboard against a real Prometheus scraping a real `npm start`: every
// panel's query must return series once a burst of traffic has been scraped.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { callAuthgate as call, createAuthgateFleet } from '../support/authgate-fleet';
import { type AuthgateProcess, freePort, repoRoot, waitUntilHealthy } from '../support/authgate-process';
import { type PrometheusServer, startPrometheus } from '../support/prometheus-server';
import { runCommand } from '../support/run-command';

const PROMETHEUS = '/usr/bin/prometheus';
const PROMTOOL = '/usr/bin/promtool';
const METRICS_TOKEN = 'prometheus-test-metrics-token-42';
const PASSWORD = 'violet-harbour-lantern-42';
const LOCKOUT_THRESHOLD = 3;
// A bound, not a wait: queries are polled and this is only how long a missing series may take to show up.
const SERIES_WITHIN_MS = 30_000;

const shippedConfig = join(repoRoot, 'deploy/prometheus/prometheus.yml');
const dashboard = JSON.parse(readFileSync(join(repoRoot, 'deploy/grafana/dashboards/authgate.json'), 'utf8')) as {
  panels: { title: string; targets: { expr: string }[] }[];
};

// Outside CI a machine without Debian's prometheus skips this file with the install line; under CI it must run.
const available = existsSync(PROMETHEUS) && existsSync(PROMTOOL);
if (!available && process.env.CI === 'true') throw new Error('prometheus not found (apt-get install -y prometheus)');

/**
 * The shipped scrape config, pointed at the test's authgate: the job, its metrics path and its bearer-token
 * authorization stay as shipped; only the target, the token file's place and a 1 s interval change.
 */
function testConfig(authgatePort: number, tokenFile: string): string {
  const config = parse(readFileSync(shippedConfig, 'utf8'));
  config.global.scrape_interval = '1s';
  const [job] = config.scrape_configs;
  job.scrape_interval = '1s';
  job.authorization.credentials_file = tokenFile;
  job.static_configs = [{ targets: [`127.0.0.1:${authgatePort}`] }];
  return stringify(config);
}

describe.skipIf(!available)('Prometheus scraping authgate', () => {
  let fleet: Awaited<ReturnType<typeof createAuthgateFleet>>;
  let server: AuthgateProcess;
  let prometheus: PrometheusServer;

  beforeAll(async () => {
    fleet = await createAuthgateFleet('prometheus');
    const port = await freePort();
    server = fleet.start({
      DATA_DIR: join(fleet.root, 'data'),
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ARGON2_MEMORY_KIB: '64',
      ARGON2_ITERATIONS: '1',
      METRICS_TOKEN,
      LOCKOUT_THRESHOLD: String(LOCKOUT_THRESHOLD),
      // Every request here comes from 127.0.0.1, scrapes included: only the auth routes' own limit may bite.
      RATE_LIMIT_GLOBAL: '100000/60',
      RATE_LIMIT_AUTH: '8/60',
    });
    await waitUntilHealthy(server, 60_000);
    const tokenFile = join(fleet.root, 'metrics_token');
    writeFileSync(tokenFile, METRICS_TOKEN);
    const prometheusDir = join(fleet.root, 'prometheus');
    mkdirSync(prometheusDir);
    prometheus = await startPrometheus(PROMETHEUS, prometheusDir, testConfig(port, tokenFile));
  }, 120_000);

  afterAll(async () => {
    await prometheus?.stop();
    await fleet?.stopAll();
  });

  it('the shipped prometheus.yml passes promtool (syntax; its token file exists only in the container)', async () => {
    const { stdout } = await runCommand(PROMTOOL, ['check', 'config', '--syntax-only', shippedConfig], { cwd: repoRoot, timeoutMs: 30_000 });
    expect(stdout).toContain('SUCCESS');
  });

  it('the config the test runs (the shipped one re-targeted) passes promtool in full, token file included', async () => {
    const file = join(fleet.root, 'prometheus', 'prometheus.yml');
    const { stdout } = await runCommand(PROMTOOL, ['check', 'config', file], { cwd: repoRoot, timeoutMs: 30_000 });
    expect(stdout).toContain('SUCCESS');
  });

  it('scrapes authgate with the bearer token, and every dashboard panel query returns series after a burst of traffic', async () => {
    const email = 'grace.hopper@example.com';
    const victim = 'locked.out@example.com';
    const json = (body: unknown) => ({ method: 'POST', json: body });
    expect((await call(server, '/api/v1/auth/register', json({ email, password: PASSWORD }))).status).toBe(201);
    expect((await call(server, '/api/v1/auth/register', json({ email: victim, password: PASSWORD }))).status).toBe(201);
    const good = await call(server, '/api/v1/auth/login', json({ email, password: PASSWORD }));
    expect(good.status).toBe(200);
    for (let attempt = 0; attempt < LOCKOUT_THRESHOLD; attempt += 1) {
      expect((await call(server, '/api/v1/auth/login', json({ email: victim, password: 'wrong-password-here' }))).status).toBe(401);
    }
    // Rotated, then the parent again inside the grace window, then the child rotated and the parent replayed once
    // more (its child is spent now: reuse), then a token that never existed.
    const parent = good.body.data.refreshToken as string;
    const child = await call(server, '/api/v1/auth/refresh', json({ refreshToken: parent }));
    expect(child.status).toBe(200);
    expect((await call(server, '/api/v1/auth/refresh', json({ refreshToken: parent }))).status).toBe(200);
    expect((await call(server, '/api/v1/auth/refresh', json({ refreshToken: child.body.data.refreshToken }))).status).toBe(200);
    expect((await call(server, '/api/v1/auth/refresh', json({ refreshToken: parent }))).status).toBe(401);
    expect((await call(server, '/api/v1/auth/refresh', json({ refreshToken: 'n'.repeat(43) }))).status).toBe(401);
    const burst: number[] = [];
    for (let i = 0; i < 8; i += 1) burst.push((await call(server, '/api/v1/auth/login', json({ email: 'nobody@example.com', password: PASSWORD }))).status);
    expect(burst).toContain(429);

    // The target is up and authorised (a 401 would make `up` 0), and the last of the burst has been scraped.
    expect(await prometheus.queryUntilSeries('up{job="authgate"} == 1', SERIES_WITHIN_MS), prometheus.output()).toHaveLength(1);
    expect(await prometheus.queryUntilSeries('auth_rate_limit_hits_total{rule="auth:login"} > 0', SERIES_WITHIN_MS)).not.toHaveLength(0);

    const empty: string[] = [];
    for (const panel of dashboard.panels) {
      for (const target of panel.targets) {
        // rate() needs two samples of a series born during the burst: poll until it has them, within the bound.
        const result = await prometheus.queryUntilSeries(target.expr, SERIES_WITHIN_MS);
        if (result.length === 0) empty.push(`${panel.title}: ${target.expr}`);
      }
    }
    expect(empty).toEqual([]);
    for (const result of ['rotated', 'grace', 'reuse', 'invalid']) {
      expect(await prometheus.query(`auth_token_refresh_total{result="${result}"}`), result).toHaveLength(1);
    }
    expect(await prometheus.query('auth_lockouts_total == 1')).toHaveLength(1);
    expect(await prometheus.query('auth_login_total{method="password",result="failure"}')).toHaveLength(1);
  }, 180_000);
});
