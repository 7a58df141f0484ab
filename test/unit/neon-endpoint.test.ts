import { neonConfig } from '@neondatabase/serverless';
import { describe, expect, it } from 'vitest';
import { neonEndpoint } from '../../src/adapters/db/neon-http';

// The driver's own default, as it decides where a connection string's SQL goes (a function unless reassigned).
const driverEndpoint = (host: string, port: string) => {
  const endpoint = neonConfig.fetchEndpoint;
  if (typeof endpoint !== 'function') throw new Error('the driver default is a function');
  return endpoint(host, port);
};

describe('where the Neon client sends SQL', () => {
  it('sends a loopback host to a local bridge over plain HTTP on the connection string port', () => {
    expect(neonEndpoint('127.0.0.1', '4444')).toBe('http://127.0.0.1:4444/sql');
    expect(neonEndpoint('localhost', '4444')).toBe('http://localhost:4444/sql');
    expect(neonEndpoint('[::1]', '5433')).toBe('http://[::1]:5433/sql');
    expect(neonEndpoint('127.0.0.1', '')).toBe('http://127.0.0.1/sql');
  });

  it("uses Neon's own HTTPS endpoint, the driver's rule, for every other host", () => {
    const hosts = ['ep-cool-name-123456.eu-central-1.aws.neon.tech', 'ep-x-pooler.us-east-2.aws.neon.tech', '127.0.0.1.example.com', 'db', 'localhost.example'];
    for (const host of hosts) expect(neonEndpoint(host, '5432'), host).toBe(driverEndpoint(host, '5432'));
    expect(neonEndpoint('ep-cool-name-123456.eu-central-1.aws.neon.tech', '')).toBe('https://api.eu-central-1.aws.neon.tech/sql');
  });
});
