import { neonConfig } from '@neondatabase/serverless';
import { describe, expect, it } from 'vitest';
import '../../src/adapters/db/neon-http';

const endpointFor = (host: string, port: string) => {
  const endpoint = neonConfig.fetchEndpoint;
  return typeof endpoint === 'function' ? endpoint(host, port) : endpoint;
};

describe('where the Neon driver sends SQL', () => {
  it('sends a loopback host to a local bridge over plain HTTP on the connection string port', () => {
    expect(endpointFor('127.0.0.1', '4444')).toBe('http://127.0.0.1:4444/sql');
    expect(endpointFor('localhost', '4444')).toBe('http://localhost:4444/sql');
    expect(endpointFor('[::1]', '5433')).toBe('http://[::1]:5433/sql');
  });

  it("keeps Neon's own HTTPS endpoint for every other host", () => {
    expect(endpointFor('ep-cool-name-123456.eu-central-1.aws.neon.tech', '')).toBe('https://api.eu-central-1.aws.neon.tech/sql');
    expect(endpointFor('127.0.0.1.example.com', '')).toMatch(/^https:\/\//);
  });
});
