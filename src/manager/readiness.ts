// Whether the manager may take traffic (/readyz: state rebuilt from the backend and a first poll round done) and
// whether it is alive (/healthz: a reconcile tick completed within a few intervals), with the summary both show.
import type { Logger } from '../shared/log.js';
import type { Clock } from '../shared/clock.js';
import type { Fleet } from './fleet.js';
import { AFTER_ACTION_MS, type ReconcileControls, type Reconciler } from './reconciler.js';

export interface ManagerStatus {
  ready: boolean;
  live: boolean;
  paused: boolean;
  lastTickAt: string | null;
  servers: number;
  free: number;
}

export interface ReadinessDeps {
  clock: Clock;
  logger: Logger;
  /** SLEEP_TIME: liveness allows a few of them between good ticks. */
  sleepMs: number;
  reconciler: Pick<Reconciler, 'hasObserved' | 'lastTickOk' | 'freeCapacity'>;
  fleet: Pick<Fleet, 'size'>;
  operator: Pick<ReconcileControls, 'paused'>;
  /** Told once, when the manager first becomes ready. */
  onReady?: () => void;
}

export class Readiness {
  private ready = false;
  private readonly startedAt: number;

  constructor(private readonly deps: ReadinessDeps) {
    this.startedAt = deps.clock.now();
  }

  isReady(): boolean {
    return this.ready;
  }

  /** A poll round finished: ready once a complete observation of the backend has been applied before it. */
  pollRoundDone(): void {
    const { reconciler, fleet, logger } = this.deps;
    if (this.ready || !reconciler.hasObserved()) return;
    this.ready = true;
    logger.info('manager ready', { servers: fleet.size(), free: reconciler.freeCapacity() });
    this.deps.onReady?.();
  }

  status(): ManagerStatus {
    const { clock, reconciler, fleet, operator, sleepMs } = this.deps;
    const now = clock.now();
    const staleAfter = 3 * Math.max(sleepMs, AFTER_ACTION_MS) + 30_000;
    const lastTickOkAt = reconciler.lastTickOk();
    const reference = lastTickOkAt ?? this.startedAt;
    return {
      ready: this.ready,
      live: now - reference <= staleAfter,
      paused: operator.paused(),
      lastTickAt: lastTickOkAt === null ? null : new Date(lastTickOkAt).toISOString(),
      servers: fleet.size(),
      free: reconciler.freeCapacity(),
    };
  }
}
