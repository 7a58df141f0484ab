// The embedded key-value store's files (src/adapters/kv/embedded-file.ts, embedded-journal.ts) on a real file system.
// A crash is simulated by copying the store's directory while the store is still open: the copy holds exactly what a
// kill -9 at that moment leaves behind (the written bytes, whatever the writer was doing), and a store opened on the
// copy is the restarted process. The original keeps running, so a test can crash it at any step and then go on.
import { appendFile, cp, mkdtemp, readdir, readFile, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmbeddedStore, type EmbeddedStoreOptions } from '../../src/adapters/kv/embedded';
import type { CompactionStep } from '../../src/adapters/kv/embedded-file';
import type { KeyValueStore } from '../../src/core/ports';
import { createTestClock, type TestClock } from '../support/clock';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

async function newDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'authgate-kv-journal-'));
  dirs.push(dir);
  return dir;
}

const fileIn = (dir: string) => join(dir, 'kv.json');

/** The store's files as a kill -9 would leave them now, in a new directory. */
async function crashCopy(dir: string): Promise<string> {
  const copy = await newDir();
  await cp(dir, copy, { recursive: true });
  return copy;
}

async function journalsIn(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.startsWith('kv.journal.')).sort();
}

/** Every key of `keys` with its value, null when absent. */
async function contents(store: KeyValueStore, keys: Iterable<string>): Promise<Record<string, string | null>> {
  const result: Record<string, string | null> = {};
  for (const key of keys) result[key] = await store.get(key);
  return result;
}

async function reopened(dir: string, clock: TestClock, options: Partial<EmbeddedStoreOptions> = {}) {
  return createEmbeddedStore({ file: fileIn(dir), clock, ...options });
}

describe('the embedded store after a crash mid-append', () => {
  const tails: [string, Buffer | string][] = [
    ['half of a record', '0123456789abcdef ["s","deny:sid:torn","1",9'],
    ['a record whose checksum does not match', `${'0'.repeat(16)} ["s","deny:sid:forged","1",99999999999999]\n`],
    ['garbage bytes with newlines in them', Buffer.from([0xff, 0x00, 0x0a, 0x7b, 0x22, 0x0a, 0xc3, 0x28, 0x20])],
    ['a run of zero bytes (a size extended, the data never written)', Buffer.alloc(4096)],
  ];

  it.each(tails)('starts after %s at the end of the journal, keeps every earlier record, and appends after them', async (_name, tail) => {
    const dir = await newDir();
    const clock = createTestClock();
    const store = await reopened(dir, clock);
    await store.set('deny:sid:a', '1', 900);
    await store.set('otp:b', 'code', 600);
    await store.set('gone', 'x', 600);
    await store.delete('gone');

    const crashed = await crashCopy(dir);
    const [journal] = await journalsIn(crashed);
    await appendFile(join(crashed, journal!), tail);
    const restarted = await reopened(crashed, clock);
    expect(await contents(restarted, ['deny:sid:a', 'otp:b', 'gone', 'deny:sid:torn', 'deny:sid:forged'])).toEqual({
      'deny:sid:a': '1',
      'otp:b': 'code',
      gone: null,
      'deny:sid:torn': null,
      'deny:sid:forged': null,
    });

    // The torn tail was cut off at start: a record written now is whole, and read back after a second crash.
    await restarted.set('deny:sid:after', '1', 900);
    const again = await reopened(await crashCopy(crashed), clock);
    expect(await contents(again, ['deny:sid:a', 'otp:b', 'deny:sid:after'])).toEqual({ 'deny:sid:a': '1', 'otp:b': 'code', 'deny:sid:after': '1' });
    await Promise.all([store.close(), restarted.close(), again.close()]);
  });

  it('cut at any byte, the journal loads to exactly the changes whose records were whole', async () => {
    const op = fc.oneof(
      fc.record({ op: fc.constant('set' as const), key: fc.constantFrom('a', 'b', 'c', 'ü/é'), value: fc.string({ maxLength: 12 }) }),
      fc.record({ op: fc.constant('delete' as const), key: fc.constantFrom('a', 'b', 'c', 'ü/é') }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), fc.double({ min: 0, max: 1, noNaN: true }), async (ops, at) => {
        const dir = await newDir();
        const clock = createTestClock();
        const store = await reopened(dir, clock);
        // What the store holds after each record it wrote (a delete of an absent key writes none).
        const model = new Map<string, string>();
        const states: Map<string, string>[] = [new Map()];
        for (const step of ops) {
          if (step.op === 'set') {
            await store.set(step.key, step.value, 600);
            model.set(step.key, step.value);
          } else {
            const wrote = model.delete(step.key);
            await store.delete(step.key);
            if (!wrote) continue;
          }
          states.push(new Map(model));
        }
        const crashed = await crashCopy(dir);
        const journal = join(crashed, (await journalsIn(crashed))[0]!);
        const bytes = await readFile(journal);
        const cut = Math.floor(at * bytes.length);
        await truncate(journal, cut);
        const whole = bytes.subarray(0, cut).filter((byte) => byte === 0x0a).length;

        const restarted = await reopened(crashed, clock);
        const expected = Object.fromEntries(['a', 'b', 'c', 'ü/é'].map((key) => [key, states[whole]!.get(key) ?? null]));
        expect(await contents(restarted, ['a', 'b', 'c', 'ü/é'])).toEqual(expected);
        await Promise.all([store.close(), restarted.close()]);
        await rm(dir, { recursive: true, force: true });
        await rm(crashed, { recursive: true, force: true });
      }),
      { numRuns: 40 },
    );
  });

  it('a version-1 kv.json (the whole-file format before the journal) still loads', async () => {
    const dir = await newDir();
    const clock = createTestClock();
    await appendFile(fileIn(dir), JSON.stringify({ version: 1, entries: [{ key: 'deny:sid:old', value: '1', expiresAtMs: clock.nowMs() + 60_000 }] }));
    const store = await reopened(dir, clock);
    expect(await store.get('deny:sid:old')).toBe('1');
    await store.close();
  });
});

describe('compaction of the embedded store', () => {
  /** Overwrites a few keys until the journal holds far more records than live entries; returns the expected state. */
  async function churn(store: KeyValueStore, clock: TestClock, rounds: number): Promise<Map<string, string | null>> {
    // Written once, before any compaction: only the first journal and then the snapshots hold it.
    await store.set('early', 'kept', 900);
    const expected = new Map<string, string | null>([['early', 'kept']]);
    for (let round = 0; round < rounds; round += 1) {
      await Promise.all(['k1', 'k2', 'k3'].map((key) => store.set(key, `${key}@${round}`, 900)));
      expected.set('k1', `k1@${round}`).set('k2', `k2@${round}`).set('k3', `k3@${round}`);
    }
    await store.set('short', 'x', 30);
    await store.set('taken', 'code', 900);
    expect(await store.take('taken')).toBe('code');
    expected.set('taken', null).set('short', null);
    clock.advance(60); // `short` has expired: compaction and the next load leave it out
    return expected;
  }

  it('runs in the background once the journal outgrows the live entries; a restart finds the same state', async () => {
    const dir = await newDir();
    const clock = createTestClock();
    const steps: CompactionStep[] = [];
    let compacted: () => void = () => {};
    const done = new Promise<void>((resolve) => (compacted = resolve));
    const store = await reopened(dir, clock, {
      // About 60 records of ~50 bytes: one compaction during the churn below, none after it.
      compactMinBytes: 3_000,
      onCompactionStep: (step) => {
        steps.push(step);
        if (step === 'old-journals-removed') compacted();
      },
    });
    const expected = await churn(store, clock, 30);
    await store.set('k4', 'last', 900);
    expected.set('k4', 'last');
    await done;
    expect(steps).toEqual(['journal-rotated', 'snapshot-synced', 'snapshot-renamed', 'old-journals-removed']);
    expect(await contents(store, expected.keys())).toEqual(Object.fromEntries(expected));
    const files = await readdir(dir);
    expect(files.filter((name) => !name.startsWith('kv.journal.'))).toEqual(['kv.json']);
    expect(await journalsIn(dir)).toHaveLength(1);
    expect(await journalsIn(dir)).not.toEqual(['kv.journal.0']);
    const snapshot = JSON.parse(await readFile(fileIn(dir), 'utf8')) as { entries: { key: string }[] };
    expect(snapshot.entries.map((entry) => entry.key).sort()).toEqual(['early', 'k1', 'k2', 'k3']);

    const restarted = await reopened(await crashCopy(dir), clock);
    expect(await contents(restarted, expected.keys())).toEqual(Object.fromEntries(expected));
    await Promise.all([store.close(), restarted.close()]);
  });

  it.each<CompactionStep>(['journal-rotated', 'snapshot-synced', 'snapshot-renamed', 'old-journals-removed'])(
    'a crash after the step "%s" loses no acknowledged write, made before compaction or while it ran',
    async (crashAt) => {
      const dir = await newDir();
      const clock = createTestClock();
      let release: () => void = () => {};
      let reached: () => void = () => {};
      const paused = new Promise<void>((resolve) => (reached = resolve));
      const store = await reopened(dir, clock, {
        compactMinBytes: 2_000,
        onCompactionStep: (step) => {
          if (step !== crashAt) return;
          reached();
          return new Promise<void>((resolve) => (release = resolve));
        },
      });
      const expected = await churn(store, clock, 30);
      await store.set('k4', 'trips-it', 900);
      expected.set('k4', 'trips-it');
      await paused;
      // Compaction is held at the step: writes still go on, each acknowledged once durable.
      await store.set('during', 'compaction', 900);
      await store.delete('k1');
      expected.set('during', 'compaction').set('k1', null);

      const crashed = await crashCopy(dir);
      const restarted = await reopened(crashed, clock);
      expect(await contents(restarted, expected.keys())).toEqual(Object.fromEntries(expected));
      // And the crashed copy keeps working: a write after the restart survives the next one.
      await restarted.set('after', 'restart', 900);
      const again = await reopened(await crashCopy(crashed), clock);
      expect(await again.get('after')).toBe('restart');
      expect(await contents(again, expected.keys())).toEqual(Object.fromEntries(expected));

      release();
      await Promise.all([store.close(), restarted.close(), again.close()]);
      // The original, compaction finished and closed: one snapshot file, the same state.
      expect(await readdir(dir)).toEqual(['kv.json']);
      const last = await reopened(dir, clock);
      expect(await contents(last, expected.keys())).toEqual(Object.fromEntries(expected));
      await last.close();
    },
  );
});
