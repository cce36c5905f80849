// Exponential, capped back-off after failed launches, so a fleet that cannot place tasks
// (no memory, no IPs, bad task definition) does not hammer RunTask every tick.
import { exponentialDelay } from '../shared/backoff.js';
import type { Clock } from '../shared/clock.js';

export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
}

export class LaunchBackoff {
  private readonly baseMs: number;
  private readonly maxMs: number;
  private failuresInARow = 0;
  private until = 0;

  constructor(
    private readonly clock: Clock,
    options: BackoffOptions = {},
  ) {
    this.baseMs = options.baseMs ?? 2_000;
    this.maxMs = options.maxMs ?? 120_000;
    if (!(this.baseMs > 0)) throw new RangeError(`launch back-off baseMs must be > 0 (got ${this.baseMs})`);
    if (!(this.maxMs >= this.baseMs)) throw new RangeError(`launch back-off maxMs must be ≥ baseMs (got ${this.maxMs})`);
  }

  /** Milliseconds left before the next launch may call AWS; 0 when it may now. */
  remainingMs(): number {
    return Math.max(0, this.until - this.clock.now());
  }

  recordFailure(): number {
    this.failuresInARow += 1;
    const delay = exponentialDelay(this.failuresInARow - 1, { baseMs: this.baseMs, maxMs: this.maxMs });
    this.until = this.clock.now() + delay;
    return delay;
  }

  recordSuccess(): void {
    this.failuresInARow = 0;
    this.until = 0;
  }
}
