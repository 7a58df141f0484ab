// The running server's V8 background threads (optimizing compilers, garbage collector helpers) have niceness 10 and
// its event loop 0 (src/runtime/node-priority.ts), so background compilation never takes a core from the requests.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createAuthgateFleet } from '../support/authgate-fleet';
import { freePort, QUICK_TEST_SETTINGS, waitUntilHealthy } from '../support/authgate-process';

const fleet = await createAuthgateFleet('node-priority');
afterAll(() => fleet.stopAll());

/** Each thread of `pid` by name, with its niceness (proc(5): the 19th field of /proc/<pid>/task/<tid>/stat). */
function threads(pid: number): { tid: number; name: string; nice: number }[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((tid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return [{ tid: Number(tid), name, nice: Number(fields[16]) }];
    } catch {
      return [];
    }
  });
}

describe.runIf(process.platform === 'linux')('thread priorities of the Node server', () => {
  it('runs V8 background threads at niceness 10 and the event loop at 0', async () => {
    const server = fleet.start({ DATA_DIR: join(fleet.root, 'data'), PORT: String(await freePort()), HOST: '127.0.0.1', ...QUICK_TEST_SETTINGS });
    await waitUntilHealthy(server, 60_000);
    const all = threads(server.pid);
    const v8 = all.filter((thread) => thread.name === 'V8Worker');
    expect(v8.length).toBeGreaterThan(0);
    expect(v8.map((thread) => thread.nice)).toEqual(v8.map(() => 10));
    // The event loop runs on the process's first thread, whose id is the process id.
    expect(all.find((thread) => thread.tid === server.pid)?.nice).toBe(0);
  });
});
