// A clock that moves only when told to; for tests and benchmarks of time-dependent logic.
import type { Clock } from '../../src/shared/clock.js';

export class ManualClock implements Clock {
  constructor(private current = 1_700_000_000_000) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
  set(ms: number): void {
    this.current = ms;
  }
}
