// The reconcile loop: a tick at the interval the reconciler asks for, brought forward by a wake (no room, demand,
// an unhealthy server, an operator's command, a scheduled floor), counted by cause so an operator can see why the
// loop runs. A tick that throws is counted and logged, and the loop tries again soon; it never dies of an error.
import { retryAfterFailureMs } from '../shared/backoff.js';
import type { Logger } from '../shared/log.js';
import { errorMessage } from './executor.js';
import { Loop } from './loop.js';
import type { ManagerMetrics } from './metrics.js';
import type { Reconciler } from './reconciler.js';

export type WakeCause = 'no_room' | 'demand' | 'unhealthy' | 'operator' | 'schedule';

export interface ReconcileLoopDeps {
  reconciler: Pick<Reconciler, 'tick'>;
  /** After every tick, failed or not: seats it freed or servers it returned go to waiting allocations. */
  afterTick: () => void;
  metrics: ManagerMetrics;
  logger: Logger;
  /** SLEEP_TIME: a failed tick is retried sooner (retryAfterFailureMs). */
  sleepMs: number;
}

export class ReconcileLoop {
  private readonly loop: Loop;

  constructor(private readonly deps: ReconcileLoopDeps) {
    this.loop = new Loop({ name: 'reconcile', run: () => this.tick(), onError: (err) => this.tickFailed(err) });
  }

  /** The first tick at once. */
  start(): void {
    this.loop.start(0);
  }

  /** Brings the next tick forward. */
  wake(cause: WakeCause): void {
    this.deps.metrics.wakes.inc({ cause });
    this.loop.wake();
  }

  /** One tick now, never two at once. */
  runOnce(): Promise<void> {
    return this.loop.runOnce();
  }

  close(): Promise<void> {
    return this.loop.close();
  }

  private async tick(): Promise<number> {
    try {
      return await this.deps.reconciler.tick();
    } finally {
      this.deps.afterTick();
    }
  }

  private tickFailed(err: unknown): number {
    this.deps.metrics.ticks.inc({ result: 'error' });
    this.deps.logger.error('loop failed', { loop: 'reconcile', error: errorMessage(err), stack: err instanceof Error ? err.stack : undefined });
    return retryAfterFailureMs(this.deps.sleepMs);
  }
}
