// Launches that die before they ever become healthy (a command that exits at once, an image that crashes, a task
// that never answers its health check) back off exponentially with jitter, for the whole fleet, in local and ECS mode
// alike: relaunching a broken gameserver every tick only burns money and floods the log. A healthy start resets it.
import { exponentialDelay, withJitter } from '../shared/backoff.js';

export interface StartFailureBackoffOptions {
  /** First delay; doubles with each start failure in a row. */
  baseMs?: number;
  maxMs?: number;
  /** [0, 1): the jitter's source (tests pass a fixed one). */
  random?: () => number;
}

export class StartFailureBackoff {
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly random: () => number;
  private failuresInARow = 0;
  private until: number | undefined;

  constructor(options: StartFailureBackoffOptions = {}) {
    this.baseMs = options.baseMs ?? 2_000;
    this.maxMs = options.maxMs ?? 300_000;
    this.random = options.random ?? Math.random;
    if (!(this.baseMs > 0)) throw new RangeError(`start-failure back-off baseMs must be > 0 (got ${this.baseMs})`);
    if (!(this.maxMs >= this.baseMs)) throw new RangeError(`start-failure back-off maxMs must be ≥ baseMs (got ${this.maxMs})`);
  }

  /** A launched server went away without ever being healthy: the next launch waits. Returns the delay. */
  recordStartFailure(now: number): number {
    this.failuresInARow += 1;
    const ceiling = exponentialDelay(this.failuresInARow - 1, { baseMs: this.baseMs, maxMs: this.maxMs });
    // "Equal jitter": at least half the exponential delay, so failures in a row always slow down, never bunch up.
    const delay = withJitter(ceiling, 'equal', this.random);
    this.until = now + delay;
    return delay;
  }

  /** A server became healthy: launches work, so the next failure starts from the base delay again. */
  recordHealthyStart(): boolean {
    const wasBackingOff = this.failuresInARow > 0;
    this.failuresInARow = 0;
    this.until = undefined;
    return wasBackingOff;
  }

  /** No launch before this time; undefined when launches may go ahead. */
  blockedUntil(): number | undefined {
    return this.until;
  }

  failures(): number {
    return this.failuresInARow;
  }
}
