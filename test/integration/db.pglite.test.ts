// The embedded database of `npm start`: what is written to DATA_DIR is there again after a restart.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openPgliteDatabase } from '../../src/adapters/db/pglite';

describe('PGlite in a data directory', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('keeps users and instance secrets across a close and reopen', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'authgate-pglite-'));
    dirs.push(parent);
    // A DATA_DIR that does not exist yet is created.
    const dataDir = join(parent, 'nested', 'data');
    const createdAt = new Date('2030-01-01T00:00:00.000Z');

    const first = await openPgliteDatabase({ dataDir });
    expect(first.kind).toBe('pglite');
    await first.users.create({ id: 'usr_1', email: 'ada@example.test', name: 'Ada', passwordHash: null, role: 'SUPER_ADMIN', emailVerifiedAt: null, createdAt });
    expect(await first.secrets.getOrCreate('jwt_private_key', 'generated-at-first-start')).toBe('generated-at-first-start');
    await first.close();

    const second = await openPgliteDatabase({ dataDir });
    try {
      expect(await second.users.findByEmail('ada@example.test')).toMatchObject({ id: 'usr_1', role: 'SUPER_ADMIN', createdAt });
      expect(await second.secrets.getOrCreate('jwt_private_key', 'generated-at-second-start')).toBe('generated-at-first-start');
    } finally {
      await second.close();
    }
  });
});
