// The integration project's globalSetup starts real servers; these prove they answer at the URLs it provides.
import pg from 'pg';
import { createClient } from 'redis';
import { describe, expect, inject, it } from 'vitest';

describe('test servers started by the globalSetup', () => {
  it('provides a PostgreSQL superuser URL that runs queries', async () => {
    const client = new pg.Client({ connectionString: inject('databaseUrl') });
    await client.connect();
    try {
      const { rows } = await client.query<{ version: string; superuser: string }>(
        "select version(), current_setting('is_superuser') as superuser",
      );
      expect(rows[0]?.version).toMatch(/^PostgreSQL \d+/);
      expect(rows[0]?.superuser).toBe('on');
    } finally {
      await client.end();
    }
  });

  it('provides a Redis URL that answers PING and keeps what is written', async () => {
    const client = createClient({ url: inject('redisUrl') });
    await client.connect();
    try {
      expect(await client.ping()).toBe('PONG');
      const key = `services-test:${crypto.randomUUID()}`;
      await client.set(key, 'kept', { expiration: { type: 'EX', value: 60 } });
      expect(await client.get(key)).toBe('kept');
      await client.del(key);
    } finally {
      client.destroy();
    }
  });
});
