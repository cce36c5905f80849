// One reconcile tick: observe → decide → act → record (style habit 2). An incomplete observation
// means no scaling that tick. The decision itself is the pure policy; the executor applies it.
import type { HealthConfig, ScalingConfig } from './options.js';
import { retryAfterFailureMs } from '../shared/backoff.js';
import type { Logger } from '../shared/log.js';
import type { Backend } from './backend.js';
import type { Clock } from '../shared/clock.js';
import { errorMessage, type Executor } from './executor.js';
import type { Fleet } from './fleet.js';
import type { LogBursts } from '../shared/log-bursts.js';
import { logFleetEvents } from './fleet-log.js';
import { isSettled } from './server-record.js';
import { FreeHistory } from './free-history.js';
import type { History } from './history.js';
import type { ManagerMetrics } from './metrics.js';
import { blockedLaunch, decideScale, freeCapacity, isAction, type Decision, type PolicyConfig, type PolicyDemand, type PolicySnapshot } from './policy.js';
import { cannotScaleUp, isQuiet, totalFree, type FleetTotals } from './policy-shortcuts.js';
import type { ReservationBook } from './reservations.js';
import { toPolicyServer } from './snapshot.js';
import type { BackendServer, ServerState } from './types.js';

/** After an action the loop looks again soon; idle, it waits the full interval. */
export const AFTER_ACTION_MS = 1000;

/** What operators change at run time, read at each tick. */
export interface ReconcileControls {
  paused(): boolean;
  minServers(): number;
}

/** Demand the free capacity does not show (waiting allocations, outside signals, rate × latency), and hand-outs. */
export interface DemandSource {
  forPolicy(now: number): PolicyDemand;
  /** When the allocator last handed the server out (SCALE_IN_DELAY). */
  lastAllocatedAt(serverId: string): number | undefined;
}

/** Totals kept as the fleet and the reservations change, so that a steady fleet needs no snapshot to decide on. */
export interface RunningTotals {
  /** Effective capacity summed over the servers in rotation at `now`. */
  activeFree(now: number): number;
  /** Servers in each state. */
  counts(): Readonly<Record<ServerState, number>>;
}

export interface ReconcilerDeps {
  config: { scaling: ScalingConfig; health: HealthConfig };
  backend: Backend;
  fleet: Fleet;
  book: ReservationBook;
  executor: Executor;
  clock: Clock;
  logger: Logger;
  metrics: ManagerMetrics;
  operator: ReconcileControls;
  totals: RunningTotals;
  demand?: DemandSource;
  /** No launch before `blockedUntil()`: launches died before they became healthy (StartOutcomes). */
  launchBackoff?: { blockedUntil(): number | undefined };
  /** The dashboard's history: each completed tick's free capacity and decisions go there. */
  history?: History;
  /** Per-server lines in bulk (a rebuild discovers every server at once); the poller flushes them. */
  bursts?: LogBursts;
}

export class Reconciler {
  private lastResyncAt = Number.NEGATIVE_INFINITY;
  private lastTickOkAt: number | null = null;
  /** When the fleet last grew; the policy holds off scale-in for SCALE_IN_DELAY after it. */
  private lastScaleUpAt: number | undefined;
  private clampedBy: string | null = null;
  /** Free capacity at recent ticks: scale-in weighs the lowest over SCALE_IN_DELAY. */
  private readonly freeHistory = new FreeHistory();

  constructor(private readonly deps: ReconcilerDeps) {}

  /** Whether a complete observation of the backend has been applied yet. */
  hasObserved(): boolean {
    return this.lastResyncAt > Number.NEGATIVE_INFINITY;
  }

  lastTickOk(): number | null {
    return this.lastTickOkAt;
  }

  /** Runs one tick and returns the delay before the next. */
  async tick(): Promise<number> {
    const { clock, logger, config, metrics, book } = this.deps;
    const end = metrics.tickSeconds.startTimer();
    const now = clock.now();
    const resync = now - this.lastResyncAt >= config.health.resyncIntervalMs;
    try {
      await this.observe(resync);
    } catch (err) {
      metrics.ticks.inc({ result: 'incomplete' });
      metrics.backendErrors.inc({ operation: resync ? 'list' : 'refresh' });
      logger.warn('observation incomplete; not scaling this tick', { error: errorMessage(err) });
      end();
      return retryAfterFailureMs(config.scaling.sleepMs);
    }
    book.prune(now);
    const policy = this.policyConfig();
    const totals = this.totals(now);
    let decisions: Decision[] = [];
    let free = totalFree(totals, policy);
    // A steady fleet (nothing pending, broken or on standby, free capacity between the margins) decides nothing:
    // the totals say so without building a snapshot of every server.
    if (!isQuiet(totals, policy, now)) {
      const snapshot = this.snapshot(now, totals.demand);
      decisions = decideScale(snapshot, policy, now);
      free = freeCapacity(snapshot.servers, policy.capacity);
    }
    this.reportClamp(blockedLaunch(decisions), free);
    const actions = decisions.filter(isAction);
    for (const d of actions) {
      metrics.decisions.inc({ kind: d.kind });
      logger.info('scaling decision', {
        ...d,
        freeBefore: free,
        upscaleMargin: config.scaling.upscaleMargin,
        downscaleMargin: config.scaling.downscaleMargin,
        mode: config.scaling.mode ?? 'margin',
        ...demandFields(totals.demand),
      });
    }
    if (decisions.some((d) => (d.kind === 'launch' && d.count > 0) || d.kind === 'activate')) this.lastScaleUpAt = now;
    this.freeHistory.record(now, free, config.scaling.scaleInDelayMs ?? 0);
    this.record(free, decisions, now);
    await this.deps.executor.apply(actions);
    this.lastTickOkAt = clock.now();
    metrics.ticks.inc({ result: 'ok' });
    end();
    return actions.length > 0 ? Math.min(config.scaling.sleepMs, AFTER_ACTION_MS) : config.scaling.sleepMs;
  }

  /**
   * MAX_SERVERS or the start-failure back-off stopping a launch: one line when it starts and one when it ends, and a
   * gauge, not a line a tick.
   */
  private reportClamp(blocked: Extract<Decision, { kind: 'launch' }> | undefined, free: number): void {
    const { logger, metrics, config } = this.deps;
    const by = blocked?.clampedBy ?? null;
    if (by !== null && by !== this.clampedBy) {
      const message = by === 'backoff' ? 'launches held back: recent launches died before they became healthy' : 'scaling clamped at MAX_SERVERS';
      logger.warn(message, { maxServers: config.scaling.maxServers, free, reason: blocked?.reason, upscaleMargin: config.scaling.upscaleMargin });
    } else if (by === null && this.clampedBy !== null) {
      logger.info('scaling clamp ended', { by: this.clampedBy, maxServers: config.scaling.maxServers, free });
    }
    this.clampedBy = by;
    metrics.scalingClamped.set(by === 'max_servers' ? 1 : 0);
  }

  /**
   * Brings the fleet in line with the backend: a full listing when `complete` (or when the backend
   * has no cheaper refresh), else a refresh of the servers already known.
   */
  async observe(complete: boolean): Promise<void> {
    const { backend, clock, fleet, book } = this.deps;
    const refresh = complete ? undefined : backend.refresh?.bind(backend);
    let observed: BackendServer[] = [];
    let unchanged: string[] = [];
    if (refresh) {
      // A steady tick asks the backend only about servers whose state may have moved unseen; when
      // every server answers its polls that is none, and the ECS backend makes no call at all.
      observed = await refresh(fleet.unsettled().map((r) => r.id));
    } else if (complete && backend.resync && fleet.size() > 0) {
      const settled = new Set(fleet.all().filter(isSettled).map((r) => r.id));
      ({ servers: observed, unchanged } = await backend.resync(settled));
    } else {
      observed = await backend.list();
    }
    const full = refresh === undefined;
    const now = clock.now();
    if (full) this.lastResyncAt = now;
    const events = fleet.applyObservation(observed, now, full, unchanged);
    for (const e of events) if (e.type === 'removed') book.dropServer(e.server.id);
    logFleetEvents(this.deps.logger, events, this.deps.bursts);
    if (full) this.redrainStandby();
  }

  /**
   * Standby servers whose report says they are not draining get /drain/ again: a manager that died between tagging
   * one and calling its /drain/ left it so (after a start and every resync).
   */
  redrainStandby(): void {
    for (const r of this.deps.fleet.all()) {
      if (r.standby && r.report?.draining === false) this.deps.executor.redrain(r.id);
    }
  }

  private record(free: number, decisions: readonly Decision[], at: number): void {
    const { history, config } = this.deps;
    if (!history) return;
    const { upscaleMargin, downscaleMargin } = config.scaling;
    history.sample({ at, free, upscaleMargin, downscaleMargin });
    for (const d of decisions) {
      history.event({ at, source: 'decision', kind: d.kind, serverId: 'serverId' in d ? d.serverId : null, reason: d.kind === 'launch' ? `${d.reason} (+${d.count})` : d.reason });
    }
  }

  /** Free capacity as the policy counts it, now. */
  freeCapacity(): number {
    const { totals, clock, config } = this.deps;
    return totals.activeFree(clock.now()) + totals.counts().pending * config.scaling.capacity;
  }

  /** Whether the policy, run now on the fleet as last seen, would add capacity (return a standby server or launch). */
  wantsMoreCapacity(): boolean {
    const now = this.deps.clock.now();
    const policy = this.policyConfig();
    const totals = this.totals(now);
    // Up to 10 times a second while allocations arrive: the totals rule out most of them without a snapshot.
    if (cannotScaleUp(totals, policy)) return false;
    return decideScale(this.snapshot(now, totals.demand), policy, now).some((d) => isAction(d) && (d.kind === 'launch' || d.kind === 'activate'));
  }

  private totals(now: number): FleetTotals {
    const { operator, totals, demand } = this.deps;
    const t: FleetTotals = { paused: operator.paused(), activeFree: totals.activeFree(now), counts: totals.counts() };
    const wanted = demand?.forPolicy(now);
    if (wanted) t.demand = wanted;
    if (this.lastScaleUpAt !== undefined) t.lastScaleUpAt = this.lastScaleUpAt;
    return t;
  }

  private snapshot(now: number, demand: PolicyDemand | undefined): PolicySnapshot {
    const { fleet, book, config, operator, demand: wanted, launchBackoff } = this.deps;
    const servers = fleet.all().map((r) => {
      const server = toPolicyServer(r, book, config.scaling.capacity, now);
      const at = wanted?.lastAllocatedAt(r.id);
      if (at !== undefined) server.lastAllocatedAt = at;
      return server;
    });
    const snapshot: PolicySnapshot = { paused: operator.paused(), servers };
    if (demand) snapshot.demand = demand;
    if (this.lastScaleUpAt !== undefined) snapshot.lastScaleUpAt = this.lastScaleUpAt;
    const backoffUntil = launchBackoff?.blockedUntil();
    if (backoffUntil !== undefined) snapshot.launchBackoffUntil = backoffUntil;
    const history = this.freeHistory.list();
    if (history.length > 0) snapshot.freeHistory = history;
    return snapshot;
  }

  private policyConfig(): PolicyConfig {
    const { scaling, health } = this.deps.config;
    return {
      upscaleMargin: scaling.upscaleMargin,
      downscaleMargin: scaling.downscaleMargin,
      capacity: scaling.capacity,
      minServers: this.deps.operator.minServers(),
      maxServers: scaling.maxServers,
      maxLaunchPerTick: scaling.maxLaunchPerTick,
      startTimeoutMs: health.startTimeoutMs,
      scaleInDelayMs: scaling.scaleInDelayMs ?? 0,
    };
  }
}

/** The demand terms a decision used, for its log line: waiting, signals, in-flight seats and what they came from. */
function demandFields(demand: PolicyDemand | undefined): Record<string, number> {
  if (!demand) return {};
  const fields: Record<string, number> = { waiting: demand.waiting, signalSeats: demand.signalSeats, inFlight: round2(demand.inFlight) };
  if (demand.basis) {
    fields.arrivalRate = round2(demand.basis.ratePerSec);
    fields.launchLatencyS = round2(demand.basis.launchLatencyMs / 1000);
    fields.joinShare = round2(demand.basis.joinShare);
  }
  return fields;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
