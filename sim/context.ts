// What every handler gets: the state and the machinery around it.
import type { Faults } from './faults.js';
import type { GameserverHosting } from './gameserver-host.js';
import type { SimState } from './state.js';
import type { SimLog, TaskLifecycle } from './task-lifecycle.js';
import type { Throttler } from './throttle.js';

export interface SimContext {
  state: SimState;
  lifecycle: TaskLifecycle;
  host: GameserverHosting;
  faults: Faults;
  throttler: Throttler;
  log: SimLog;
  /** Timers for EC2 instance state changes, cleared on close. */
  timers: Set<NodeJS.Timeout>;
  closed: boolean;
}

/** Runs `fn` after `delayMs` unless the simulator closed first. */
export function later(ctx: SimContext, delayMs: number, fn: () => void): void {
  if (ctx.closed) return;
  const timer = setTimeout(() => {
    ctx.timers.delete(timer);
    fn();
  }, delayMs);
  ctx.timers.add(timer);
}
