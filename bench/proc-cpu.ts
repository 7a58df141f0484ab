// CPU time from Linux's /proc, for the benches that split a run's CPU by process and by thread (undefined elsewhere).
import { readdirSync, readFileSync } from 'node:fs';

/** User + system CPU (ms) in one /proc `stat` line: its 14th and 15th fields, in clock ticks (100 a second). */
function statCpuMs(stat: string): number {
  // Counted after the parenthesised command name, which may itself hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The CPU (ms) a process and all its threads have used so far. */
export function processCpuMs(pid: number): number | undefined {
  try {
    return statCpuMs(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The CPU (ms) each thread of a process has used so far, summed by thread name (Node's: MainThread, WorkerThread, …). */
export function threadCpuMs(pid: number): Map<string, number> | undefined {
  try {
    const byName = new Map<string, number>();
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      byName.set(name, (byName.get(name) ?? 0) + statCpuMs(stat));
    }
    return byName;
  } catch {
    return undefined;
  }
}
