// What can be checked of docker-compose.yml and deploy/ without a Docker engine (none here): the wiring between the
// files, the health-gated start order, declared volumes and secrets, and that every variable has a documented place
// in .env.example. `docker compose up` itself was not run (README "Compose quick start").
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

interface Service {
  image?: string;
  healthcheck?: { test?: unknown };
  depends_on?: Record<string, { condition?: string }>;
  volumes?: string[];
  secrets?: string[];
  environment?: Record<string, string>;
}
const composeText = read('docker-compose.yml');
const compose = parse(composeText) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
  secrets: Record<string, { environment?: string; file?: string }>;
};
const services = Object.entries(compose.services);
const envExample = new Map(
  read('.env.example')
    .split('\n')
    .filter((line) => /^[A-Z_][A-Z0-9_]*=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const),
);
const prometheus = parse(read('deploy/prometheus/prometheus.yml')) as {
  scrape_configs: { authorization: { credentials_file: string }; static_configs: { targets: string[] }[]; metrics_path: string }[];
};
const datasources = parse(read('deploy/grafana/provisioning/datasources/prometheus.yml')) as { datasources: { uid: string; url: string }[] };
const dashboardProvider = parse(read('deploy/grafana/provisioning/dashboards/authgate.yml')) as { providers: { options: { path: string } }[] };
const dashboard = JSON.parse(read('deploy/grafana/dashboards/authgate.json')) as {
  panels: { title: string; datasource?: { uid: string }; targets?: { expr?: string; datasource?: { uid: string } }[] }[];
};

describe('docker-compose.yml', () => {
  it('runs authgate with PostgreSQL, Redis, Mailpit, Prometheus and Grafana', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['authgate', 'grafana', 'mailpit', 'postgres', 'prometheus', 'redis']);
  });

  it.each(services)('%s has a pinned image and a healthcheck', (_name, service) => {
    expect(service.image).toMatch(/^[\w./-]+:[\w.-]+$/);
    expect(service.image).not.toMatch(/:latest$/);
    expect(Array.isArray(service.healthcheck?.test) && (service.healthcheck.test as unknown[]).length > 0).toBe(true);
  });

  it.each(services)('%s starts only after what it depends on is healthy', (_name, service) => {
    for (const [target, condition] of Object.entries(service.depends_on ?? {})) {
      expect(compose.services[target], target).toBeDefined();
      expect(condition.condition, target).toBe('service_healthy');
    }
  });

  it('starts authgate after its stores and mail, Prometheus after authgate, Grafana after Prometheus', () => {
    expect(Object.keys(compose.services.authgate!.depends_on ?? {}).sort()).toEqual(['mailpit', 'postgres', 'redis']);
    expect(Object.keys(compose.services.prometheus!.depends_on ?? {})).toEqual(['authgate']);
    expect(Object.keys(compose.services.grafana!.depends_on ?? {})).toEqual(['prometheus']);
  });

  it('keeps data in declared named volumes and mounts only files that exist in the repository', () => {
    const named = new Set<string>();
    for (const [name, service] of services) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('./')) expect(existsSync(join(root, source)), `${name}: ${source}`).toBe(true);
        else named.add(source);
      }
    }
    expect([...named].sort()).toEqual(Object.keys(compose.volumes).sort());
    for (const store of ['postgres', 'redis', 'prometheus', 'grafana']) expect(named.has(`${store}-data`), store).toBe(true);
  });

  it('documents every variable it uses in .env.example, with the required secrets left empty there', () => {
    const used = [...composeText.matchAll(/\$\{([A-Z_][A-Z0-9_]*)(:?[-?][^}]*)?\}/g)];
    expect(used.length).toBeGreaterThan(0);
    for (const [, name] of used) expect(envExample.has(name!), name).toBe(true);
    const required = new Set(used.filter(([, , modifier]) => modifier?.startsWith(':?')).map(([, name]) => name!));
    expect([...required].sort()).toEqual(['GRAFANA_ADMIN_PASSWORD', 'METRICS_TOKEN', 'POSTGRES_PASSWORD']);
    for (const name of required) expect(envExample.get(name), name).toBe('');
    for (const secret of Object.values(compose.secrets)) expect(envExample.has(secret.environment ?? ''), JSON.stringify(secret)).toBe(true);
  });
});

describe('Prometheus and Grafana wiring', () => {
  it("scrapes authgate's service and port with the bearer from the secret compose mounts", () => {
    const [job] = prometheus.scrape_configs;
    expect(job!.metrics_path).toBe('/metrics');
    expect(job!.static_configs.flatMap((config) => config.targets)).toEqual(['authgate:3000']);
    expect(compose.services.authgate!.environment?.PORT).toBe('3000');
    const secrets = compose.services.prometheus!.secrets ?? [];
    expect(secrets.map((secret) => `/run/secrets/${secret}`)).toContain(job!.authorization.credentials_file);
    expect(compose.secrets.metrics_token?.environment).toBe('METRICS_TOKEN');
    expect(compose.services.authgate!.environment?.METRICS_TOKEN).toContain('${METRICS_TOKEN');
  });

  it('provisions the Prometheus data source and the dashboard folder Grafana mounts', () => {
    expect(datasources.datasources[0]!.url).toBe('http://prometheus:9090');
    const mounts = (compose.services.grafana!.volumes ?? []).map((volume) => volume.split(':').slice(0, 2));
    expect(mounts).toContainEqual(['./deploy/grafana/dashboards', dashboardProvider.providers[0]!.options.path]);
    expect(mounts).toContainEqual(['./deploy/grafana/provisioning', '/etc/grafana/provisioning']);
  });

  it('has a dashboard whose every panel queries the provisioned data source', () => {
    const uid = datasources.datasources[0]!.uid;
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(8);
    for (const panel of dashboard.panels) {
      expect(panel.datasource?.uid, panel.title).toBe(uid);
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) expect(target.expr, panel.title).toMatch(/\S/);
    }
  });

  it('charts every metric of API.md', () => {
    const queries = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr ?? '')).join('\n');
    for (const metric of ['http_requests_total', 'http_request_duration_seconds_bucket', 'auth_login_total', 'auth_lockouts_total', 'auth_rate_limit_hits_total', 'auth_token_refresh_total', 'auth_active_sessions']) {
      expect(queries, metric).toContain(metric);
    }
    expect(queries).toMatch(/histogram_quantile/);
    expect(queries).toMatch(/status_code=~"5\.\."/);
  });
});
