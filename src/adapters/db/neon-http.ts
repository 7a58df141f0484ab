// Runs inside workerd: no node:* imports.
import { neon, neonConfig } from '@neondatabase/serverless';

type FetchEndpoint = Exclude<typeof neonConfig.fetchEndpoint, string>;

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/**
 * Where the driver sends a connection string's SQL. Neon's own rule is https://api.<host>/sql. A loopback host cannot
 * be Neon: it is a local Neon-HTTP bridge (`npm run dev:bridges`, the tests' bridge), which speaks plain HTTP on the
 * connection string's own port, the way Neon's docs point the driver at a local proxy.
 */
export function neonFetchEndpoint(neonRule: FetchEndpoint | string): FetchEndpoint {
  return (host, port, options) => {
    if (LOOPBACK_HOST.test(host)) return `http://${host}${port ? `:${port}` : ''}/sql`;
    return typeof neonRule === 'function' ? neonRule(host, port, options) : neonRule;
  };
}

// The driver's endpoint is global to the isolate; a fetchEndpoint assigned after this (tests of one bridge) wins.
neonConfig.fetchEndpoint = neonFetchEndpoint(neonConfig.fetchEndpoint);

/** Neon's SQL-over-HTTP client for a DATABASE_URL (a Neon host, or a loopback bridge). */
export function neonHttp(url: string) {
  return neon(url);
}
