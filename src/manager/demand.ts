// Demand the free capacity does not show (§9), gathered in one place for the manager: allocations waiting for a
// seat, outside signals, and the arrival-rate × launch-latency estimate. The policy gets it as plain numbers.
import type { Registry } from 'prom-client';
import type { AllocationResult } from './allocator.js';
import { AllocationWaiters } from './allocation-waiters.js';
import { DemandEstimates } from './demand-estimates.js';
import { createDemandMetrics, type DemandMetrics } from './demand-metrics.js';
import { DemandSignals, type SetSignalResult } from './demand-signals.js';
import type { PolicyDemand } from './policy.js';
import type { FleetEvent } from './server-record.js';

export interface DemandDeps {
  mode: 'margin' | 'demand';
  now: () => number;
  /** The allocator's interface: reserve a seat now, or say there is none. */
  tryAllocate: (sessionId: string | undefined, now: number) => AllocationResult;
  registry: Registry;
}

export class Demand {
  readonly signals = new DemandSignals();
  readonly estimates = new DemandEstimates();
  readonly waiters: AllocationWaiters;
  private readonly metrics: DemandMetrics;
  private readonly lastAllocated = new Map<string, number>();
  /** Servers this manager launched, by launch time, until they enter rotation (their latency is then measured). */
  private readonly launching = new Map<string, number>();

  constructor(private readonly deps: DemandDeps) {
    this.waiters = new AllocationWaiters({
      now: deps.now,
      tryAllocate: (sessionId) => this.tryAllocate(sessionId),
      onDone: (waitedMs, served) => this.metrics.waitSeconds.observe({ result: served ? 'server' : 'timeout' }, waitedMs / 1000),
    });
    this.metrics = createDemandMetrics(deps.registry, {
      waiting: () => this.waiters.size(),
      arrivalRate: () => this.estimates.rate(deps.now()),
      launchLatencySeconds: () => this.estimates.latencyMs() / 1000,
      headroomBySource: () => this.headroomBySource(deps.now()),
    });
  }

  /** The allocator, with the time of each server's last hand-out kept for SCALE_IN_DELAY. */
  tryAllocate(sessionId: string | undefined, now = this.deps.now()): AllocationResult {
    const result = this.deps.tryAllocate(sessionId, now);
    if (result.kind === 'server') this.lastAllocated.set(result.server.id, now);
    return result;
  }

  /** One allocation request arrived (at `now`, when the caller has just read the clock). */
  arrival(now = this.deps.now()): void {
    this.estimates.arrival(now);
  }

  lastAllocatedAt(serverId: string): number | undefined {
    return this.lastAllocated.get(serverId);
  }

  /**
   * Follows the fleet: a server this manager launched that turns healthy is one launch latency measured; a server
   * that leaves takes its last hand-out time with it.
   */
  followFleet(events: readonly FleetEvent[]): void {
    const now = this.deps.now();
    for (const e of events) {
      const id = e.server.id;
      if (e.type === 'added' && e.source === 'launch') this.launching.set(id, e.server.launchedAt);
      else if (e.type === 'active') {
        const at = this.launching.get(id);
        if (at === undefined) continue;
        this.launching.delete(id);
        this.estimates.launched(now - at);
      } else if (e.type === 'removed') {
        this.launching.delete(id);
        this.lastAllocated.delete(id);
      }
    }
  }

  setSignal(source: string, seats: number, ttlMs: number): SetSignalResult {
    return this.signals.set(source, seats, ttlMs, this.deps.now());
  }

  forPolicy(now: number): PolicyDemand {
    const e = this.estimates;
    return {
      waiting: this.waiters.size(),
      signalSeats: this.signals.total(now),
      inFlight: this.deps.mode === 'demand' ? e.inFlight(now) : 0,
      basis: { ratePerSec: e.rate(now), launchLatencyMs: e.latencyMs(), joinShare: e.joinShare() },
    };
  }

  headroomBySource(now: number): Record<string, number> {
    const out: Record<string, number> = { waiting: this.waiters.size() };
    out.in_flight = this.deps.mode === 'demand' ? Math.ceil(this.estimates.inFlight(now)) : 0;
    for (const s of this.signals.list(now)) out[`signal:${s.source}`] = s.seats;
    return out;
  }

  close(): void {
    this.waiters.close();
  }
}
