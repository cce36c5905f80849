// The manager as the API and main.ts see it: one object over the parts createManager wired (src/manager/
// create-manager.ts). It starts and stops the loops and hands each call to the part that owns it.
import type { HealthConfig, ScalingConfig } from './options.js';
import type { Logger } from '../shared/log.js';
import type { Clock } from '../shared/clock.js';
import type { Allocation, Allocations, DemandView } from './allocations.js';
import type { Backend } from './backend.js';
import type { Demand } from './demand.js';
import type { SetSignalResult } from './demand-signals.js';
import type { DemandWatch } from './demand-watch.js';
import { errorMessage, type Executor } from './executor.js';
import type { Fleet } from './fleet.js';
import type { FleetViews } from './fleet-views.js';
import type { HealthPoller } from './health-poller.js';
import type { History, HistorySnapshot } from './history.js';
import type { ManagerMetrics } from './metrics.js';
import type { AdminResult, OperatorCommands } from './operator-commands.js';
import type { HealthProber } from './prober.js';
import type { ManagerStatus, Readiness } from './readiness.js';
import type { ReconcileLoop } from './reconcile-loop.js';
import type { Reconciler } from './reconciler.js';
import type { ServerView } from './snapshot.js';
import type { NameBook } from '../proxy/names.js';
import type { StateCounts } from './state-counts.js';
import type { HealthReport, ServerState } from './types.js';

export type { AdminResult, Allocation };

export interface ManagerConfig {
  scaling: ScalingConfig;
  health: HealthConfig;
  backup: { host: string; port: number } | null;
}

export interface ManagerDeps {
  config: ManagerConfig;
  backend: Backend;
  prober: HealthProber;
  clock: Clock;
  logger: Logger;
  metrics?: ManagerMetrics;
  /** Server names: FLEET_ID as prefix and the SERVER_NAMES words; `arbiter` and alpha…zulu when not given. */
  names?: NameBook;
  /** Called once, when the manager first becomes ready (state rebuilt and a first poll round done). */
  onReady?: () => void;
  /**
   * Called once at start, after the full listing has been applied and before the first poll round: the backend's
   * parsed pages are garbage then, and the poll round would otherwise build on top of them.
   */
  onRebuilt?: () => void;
}

/** The wired parts, as createManager builds them. */
export interface ManagerParts {
  clock: Clock;
  logger: Logger;
  metrics: ManagerMetrics;
  fleet: Fleet;
  views: FleetViews;
  counts: StateCounts;
  history: History;
  demand: Demand;
  watch: DemandWatch;
  allocations: Allocations;
  operator: OperatorCommands;
  readiness: Readiness;
  executor: Executor;
  poller: HealthPoller;
  reconciler: Reconciler;
  loop: ReconcileLoop;
  onRebuilt?: () => void;
}

/** How many servers there are, in each state, and the sessions they report. */
export interface FleetCounts {
  servers: number;
  byState: Record<ServerState, number>;
  sessions: number;
}

export class Manager {
  readonly metrics: ManagerMetrics;
  private closing: Promise<void> | null = null;

  constructor(private readonly parts: ManagerParts) {
    this.metrics = parts.metrics;
  }

  /** Rebuilds state from the backend, polls every server once, then starts the loops. */
  async start(): Promise<void> {
    const { reconciler, poller, loop, logger } = this.parts;
    try {
      await reconciler.observe(true);
      this.parts.onRebuilt?.();
      await poller.round();
      reconciler.redrainStandby();
    } catch (err) {
      // The loops retry; readiness waits for a complete observation.
      logger.error('initial rebuild failed', { error: errorMessage(err) });
    }
    poller.start();
    loop.start();
  }

  allocate(sessionId?: string): Allocation {
    return this.parts.allocations.allocate(sessionId);
  }

  allocateWaiting(sessionId: string | undefined, waitMs: number, signal?: AbortSignal): Promise<Allocation> {
    return this.parts.allocations.allocateWaiting(sessionId, waitMs, signal);
  }

  setDemand(source: string, seats: number, ttlMs: number): SetSignalResult {
    return this.parts.allocations.setDemand(source, seats, ttlMs);
  }

  demandView(): DemandView {
    return this.parts.allocations.demandView();
  }

  servers(): ServerView[] {
    return this.parts.views.servers();
  }

  /** Servers by state and the sessions they report, from running totals: no walk of the fleet. */
  counts(): FleetCounts {
    const { counts, fleet } = this.parts;
    return { servers: fleet.size(), byState: counts.all(), sessions: counts.sessions() };
  }

  server(id: string): ServerView | undefined {
    return this.parts.views.server(id);
  }

  rotation(): string[] {
    return this.parts.views.rotation();
  }

  status(): ManagerStatus {
    return this.parts.readiness.status();
  }

  /** A gameserver's pushed health report; it counts like a poll, the fresher one wins. */
  heartbeat(id: string, report: HealthReport): boolean {
    const { fleet, poller, demand, clock } = this.parts;
    if (!fleet.get(id)) return false;
    poller.applyHeartbeat(id, report, clock.now());
    demand.waiters.serve();
    return true;
  }

  /** Free capacity over the last hour, recent decisions and actions, allocation outcomes (the dashboard). */
  history(): HistorySnapshot {
    return this.parts.history.snapshot(this.parts.clock.now());
  }

  drain(id: string): AdminResult {
    return this.parts.operator.drain(id);
  }

  undrain(id: string): AdminResult {
    return this.parts.operator.undrain(id);
  }

  stopServer(id: string): AdminResult {
    return this.parts.operator.stopServer(id);
  }

  setPaused(paused: boolean): void {
    this.parts.operator.setPaused(paused);
  }

  setMinServers(requested: number, reason: string): number {
    return this.parts.operator.setMinServers(requested, reason);
  }

  /** One reconcile tick now (tests drive the manager with this). */
  runTick(): Promise<void> {
    return this.parts.loop.runOnce();
  }

  /** One round of health polls now. */
  runPolls(): Promise<void> {
    return this.parts.poller.runOnce();
  }

  /** Waits for background actions (standby, stops) to finish; for tests and shutdown. */
  settle(timeoutMs = 10_000): Promise<void> {
    return this.parts.executor.whenIdle(timeoutMs);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const { watch, demand, loop, poller, executor } = this.parts;
      watch.close();
      demand.close();
      await Promise.allSettled([loop.close(), poller.close()]);
      await executor.whenIdle(5_000);
      await executor.close();
    })();
    return this.closing;
  }
}
