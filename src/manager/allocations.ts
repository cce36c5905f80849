// The allocation facade the API calls: answer now (a server, the backup, or no room), or wait in line for a seat;
// plus the outside demand signals. Each answer is counted, timed and told to the dashboard's history; no room wakes
// the reconcile loop at once and is logged at most once per interval, so a rush cannot flood the log.
import type { Logger } from '../shared/log.js';
import type { Clock } from '../shared/clock.js';
import type { AllocatedServer } from './allocator.js';
import type { Demand } from './demand.js';
import type { SetSignalResult } from './demand-signals.js';
import type { DemandWatch } from './demand-watch.js';
import type { History } from './history.js';
import type { ManagerMetrics } from './metrics.js';

export type Allocation =
  | { kind: 'server'; server: AllocatedServer; reused: boolean }
  | { kind: 'backup'; host: string; port: number; reason: string }
  | { kind: 'none'; reason: string };

export interface DemandView {
  signals: Array<{ source: string; seats: number; expiresAt: string }>;
  headroom: Record<string, number>;
  waiting: number;
}

export interface AllocationsDeps {
  demand: Demand;
  /** Checks, soon after hand-outs, whether the policy now wants more capacity. */
  watch: Pick<DemandWatch, 'allocated'>;
  history: History;
  metrics: ManagerMetrics;
  clock: Clock;
  logger: Logger;
  backup: { host: string; port: number } | null;
  /** Brings the next reconcile tick forward. */
  wake: (cause: 'no_room' | 'demand') => void;
}

const NO_ROOM_LOG_INTERVAL_MS = 5000;

export class Allocations {
  /** "No room" is logged at most once per interval, with the count of those not logged. */
  private noRoom = { loggedAt: Number.NEGATIVE_INFINITY, suppressed: 0 };

  constructor(private readonly deps: AllocationsDeps) {}

  allocate(sessionId?: string): Allocation {
    // One reading of the clock serves the whole answer: the reservation, the hand-out time, history and the arrival.
    const now = this.deps.clock.now();
    const out = this.answer(sessionId, now);
    // A session asking again for the seat it holds is not a new arrival.
    if (out.kind !== 'server' || !out.reused) this.deps.demand.arrival(now);
    return out;
  }

  /**
   * An allocation that may wait up to `waitMs` for a seat (first come, first served) before today's answer.
   * While it waits it is demand: the policy counts it as missing capacity. Aborting `signal` leaves the queue.
   */
  async allocateWaiting(sessionId: string | undefined, waitMs: number, signal?: AbortSignal): Promise<Allocation> {
    if (waitMs <= 0) return this.allocate(sessionId);
    const { demand, watch, metrics } = this.deps;
    demand.arrival();
    const started = performance.now();
    const pending = demand.waiters.wait(sessionId, waitMs, signal);
    // Queued: scale for it soon. The check is coalesced (100 ms), so a burst of waiters is counted in one decision.
    if (demand.waiters.size() > 0) watch.allocated();
    const served = await pending;
    if (served) {
      metrics.recordAllocation(served.reused ? 'reused' : 'server', (performance.now() - started) / 1000);
      watch.allocated();
      return served;
    }
    return this.answer(sessionId, this.deps.clock.now());
  }

  /** POST /api/demand: seats a source expects to be asked for within `ttlMs`. */
  setDemand(source: string, seats: number, ttlMs: number): SetSignalResult {
    const result = this.deps.demand.setSignal(source, seats, ttlMs);
    if (result.ok && seats > 0) this.deps.wake('demand');
    return result;
  }

  /** Live outside demand signals and the headroom each demand term holds, for the API. */
  demandView(): DemandView {
    const { demand, clock } = this.deps;
    const now = clock.now();
    return {
      signals: demand.signals.list(now).map((s) => ({ source: s.source, seats: s.seats, expiresAt: new Date(s.expiresAt).toISOString() })),
      headroom: demand.headroomBySource(now),
      waiting: demand.waiters.size(),
    };
  }

  private answer(sessionId: string | undefined, now: number): Allocation {
    const { demand, watch, history, metrics, backup, wake } = this.deps;
    const started = performance.now();
    const result = demand.tryAllocate(sessionId, now);
    if (result.kind === 'server') {
      history.allocation('served', now);
      watch.allocated();
      metrics.recordAllocation(result.reused ? 'reused' : 'server', (performance.now() - started) / 1000);
      return result;
    }
    // No room: scale now rather than at the next interval.
    wake('no_room');
    const out: Allocation = backup ? { kind: 'backup', host: backup.host, port: backup.port, reason: result.reason } : result;
    history.allocation(backup ? 'backup' : 'refused', now);
    this.logNoRoom(result.reason, backup !== null, now);
    metrics.recordAllocation(backup ? 'backup' : 'none', (performance.now() - started) / 1000);
    return out;
  }

  private logNoRoom(reason: string, backup: boolean, now: number): void {
    if (now - this.noRoom.loggedAt < NO_ROOM_LOG_INTERVAL_MS) {
      this.noRoom.suppressed += 1;
      return;
    }
    this.deps.logger.warn('no server with room', { reason, backup, alsoSinceLastLine: this.noRoom.suppressed });
    this.noRoom = { loggedAt: now, suppressed: 0 };
  }
}
