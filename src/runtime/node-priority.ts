// Node only (Linux): V8's background threads yield to the event loop.
//
// V8 compiles optimized code and helps the garbage collector on a few threads of its own ("V8Worker"). After a start
// those threads spend 1.5-2 s of CPU optimizing PGlite's WASM (the functions its start-up made hot) and then the
// request path's JavaScript; on a 2-core machine under load that compilation takes a core from the requests: in the
// first seconds after a start /health answered 12,000-14,600 req/s at 50 connections where, with these threads at
// niceness 10, it answered 15,100-17,800 (three alternating pairs, 2 s of warm-up then 10 s; bench/README.md).
// At 10, as the Argon2id threads, a background thread weighs about a tenth of the event loop when both want a core,
// and still has every core nobody else wants: compilation finishes a little later under load, and at once when idle.
import { readdirSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';

export const V8_THREAD_NICE = 10;

/**
 * Lowers the priority of this process's V8 background threads (Linux: niceness is per thread; Node starts them
 * before any script runs). Best effort: elsewhere, or where /proc cannot be read, nothing changes. Returns how many
 * threads it lowered.
 */
export function lowerV8ThreadPriority(nice = V8_THREAD_NICE): number {
  let lowered = 0;
  let tasks: string[];
  try {
    tasks = readdirSync('/proc/self/task');
  } catch {
    return 0;
  }
  for (const tid of tasks) {
    try {
      if (readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() !== 'V8Worker') continue;
      setPriority(Number(tid), nice);
      lowered += 1;
    } catch {
      // The thread ended, or the system refuses: leave it as it is.
    }
  }
  return lowered;
}
