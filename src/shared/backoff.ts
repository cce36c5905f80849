// Exponential back-off with jitter, the arithmetic only: each caller (the runner's status polls, the ECS launch
// back-off, the fleet's start-failure back-off) keeps its own numbers and decides when a failure counts. Pure: the
// jitter's random source is passed in.

export interface ExponentialBackoff {
  /** The first delay. */
  baseMs: number;
  /** No delay above this; without it the delay grows without bound. */
  maxMs?: number;
  /** Growth per retry. Default 2. */
  factor?: number;
}

/**
 * The delay before retry `retry` (0 for the first): baseMs × factor^retry, never above maxMs. Multiplied out step by
 * step and stopped at the cap, so it stays finite however many failures came in a row.
 */
export function exponentialDelay(retry: number, backoff: ExponentialBackoff): number {
  const { baseMs, maxMs = Infinity, factor = 2 } = backoff;
  let delay = baseMs;
  for (let i = 0; i < retry && delay < maxMs; i += 1) delay *= factor;
  return Math.min(maxMs, delay);
}

/**
 * `equal`: at least half the delay, so failures in a row always slow down and never bunch up; `full`: anywhere up to
 * the delay. `random` returns a number in [0, 1). Whole milliseconds.
 */
export type Jitter = 'equal' | 'full';

export function withJitter(delayMs: number, jitter: Jitter, random: () => number): number {
  return Math.round(jitter === 'equal' ? delayMs / 2 + (delayMs / 2) * random() : delayMs * random());
}

/** How soon a loop runs again after a tick that failed: its own interval, but no later than `capMs`. */
export function retryAfterFailureMs(intervalMs: number, capMs = 5_000): number {
  return Math.min(intervalMs, capMs);
}
