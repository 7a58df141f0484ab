// Node only: how busy the event loop has been lately, for the parts that run work elsewhere when it is busy and on
// the loop itself when it is not (the Argon2id worker pool, the RS256 signer in src/runtime/node-crypto.ts).
import { performance } from 'node:perf_hooks';

/**
 * Whether the event loop is busy serving: more than `threshold` of the last ~200 ms (or of the time since the last
 * look) spent running rather than waiting. Looked at only when asked (a derivation starting or ending, a token being
 * signed), so it costs nothing idle. The default 0.8 is the Argon2id pool's: logins alone keep the loop below it
 * (their hashing is elsewhere), a session load on top of them does not.
 */
export function eventLoopBusy(threshold = 0.8, windowMs = 200): () => boolean {
  let last = performance.eventLoopUtilization();
  let lastAt = performance.now();
  let busy = false;
  return () => {
    const now = performance.now();
    if (now - lastAt >= windowMs) {
      const current = performance.eventLoopUtilization();
      busy = performance.eventLoopUtilization(current, last).utilization > threshold;
      last = current;
      lastAt = now;
    }
    return busy;
  };
}
