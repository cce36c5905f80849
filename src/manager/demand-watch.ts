// Scale up when demand shows, not at the next scheduled tick. Allocations and poll rounds that leave the policy
// wanting more capacity (a standby server to return, or a launch) wake the reconcile loop. With SLEEP_TIME 10 s
// and Fargate's tens of seconds to start a task, those seconds decide whether players get a server or the backup.
// Checks after allocations are coalesced (one per `checkMs`) and demand wakes are spaced (one per `spacingMs`),
// so a burst of requests, or a launch that keeps failing, cannot turn into a tick per request.
import type { Clock } from '../shared/clock.js';

export interface DemandWatchDeps {
  clock: Clock;
  /** Whether the policy, run now on the fleet as last seen, would add capacity. */
  wantsMore: () => boolean;
  wake: () => void;
  /** Longest delay between an allocation and the check it triggers. Default 100 ms. */
  checkMs?: number;
  /** Shortest time between two demand wakes. Default 1 s. */
  spacingMs?: number;
  /** Timer functions; tests pass their own. */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export class DemandWatch {
  private timer: unknown = null;
  private lastWakeAt = Number.NEGATIVE_INFINITY;
  private closed = false;
  private readonly checkMs: number;
  private readonly spacingMs: number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(private readonly deps: DemandWatchDeps) {
    this.checkMs = deps.checkMs ?? 100;
    this.spacingMs = deps.spacingMs ?? 1_000;
    this.setTimer =
      deps.setTimer ??
      ((fn, ms) => {
        const t = setTimeout(fn, ms);
        t.unref();
        return t;
      });
    this.clearTimer = deps.clearTimer ?? ((handle) => clearTimeout(handle as NodeJS.Timeout));
  }

  /** An allocation took capacity: check soon, once for the whole burst. Costs nothing while a check is due. */
  allocated(): void {
    if (this.timer !== null || this.closed) return;
    this.arm(this.checkMs);
  }

  /** A poll round changed what the fleet reports: check now. */
  check(): void {
    if (this.closed) return;
    if (!this.deps.wantsMore()) return;
    const wait = this.lastWakeAt + this.spacingMs - this.deps.clock.now();
    if (wait > 0) {
      // Too soon after the last demand wake: look again when the spacing allows, unless a check is already due.
      if (this.timer === null) this.arm(wait);
      return;
    }
    this.lastWakeAt = this.deps.clock.now();
    this.deps.wake();
  }

  close(): void {
    this.closed = true;
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
  }

  private arm(ms: number): void {
    this.timer = this.setTimer(() => {
      this.timer = null;
      this.check();
    }, ms);
  }
}
