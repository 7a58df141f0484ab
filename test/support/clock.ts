import type { Clock } from '../../src/core/ports';

/** A clock tests move by hand, so nothing ever sleeps. */
export interface TestClock extends Clock {
  advance(seconds: number): void;
}

export function createTestClock(startMs = Date.now()): TestClock {
  let now = startMs;
  return {
    nowMs: () => now,
    advance(seconds) {
      now += seconds * 1000;
    },
  };
}
