// Time as a dependency, so that tests can drive every process with a fake clock (test/support/manual-clock.ts).
// A leaf: imports nothing from src/.

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
