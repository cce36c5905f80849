// The manager: owns the fleet, runs the health-poll and reconcile loops, answers allocations.
// Everything it touches outside itself (backend, prober, clock, logger) is passed in.
import type { HealthConfig, ScalingConfig } from './options.js';
import { retryAfterFailureMs } from '../shared/backoff.js';
import type { Logger } from '../shared/log.js';
import { Allocator, type AllocatedServer } from './allocator.js';
import type { Backend } from './backend.js';
import type { Clock } from '../shared/clock.js';
import { Demand } from './demand.js';
import type { SetSignalResult } from './demand-signals.js';
import { DemandWatch } from './demand-watch.js';
import { Executor, errorMessage } from './executor.js';
import { Fleet } from './fleet.js';
import { gameAddressOf, sessionsOf, stateOf } from './server-record.js';
import { StartOutcomes } from './start-outcomes.js';
import { HealthPoller } from './health-poller.js';
import { History, type HistorySnapshot } from './history.js';
import { AFTER_ACTION_MS, Reconciler } from './reconciler.js';
import { Loop } from './loop.js';
import { createManagerMetrics, type ManagerMetrics } from './metrics.js';
import type { HealthProber } from './prober.js';
import { ReservationBook } from './reservations.js';
import { ServerNames } from './server-names.js';
import { toServerView, type ServerView } from './snapshot.js';
import { DEFAULT_NAME_WORDS, type NameBook } from '../proxy/names.js';
import type { HealthReport, ServerState } from './types.js';

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
}

export type Allocation =
  | { kind: 'server'; server: AllocatedServer; reused: boolean }
  | { kind: 'backup'; host: string; port: number; reason: string }
  | { kind: 'none'; reason: string };

export type AdminResult = { ok: true; server: ServerView } | { ok: false; code: 'not_found' | 'conflict'; message: string };

const NO_ROOM_LOG_INTERVAL_MS = 5000;

export class Manager {
  readonly metrics: ManagerMetrics;
  private readonly fleet: Fleet;
  private readonly book: ReservationBook;
  private readonly allocator: Allocator;
  private readonly executor: Executor;
  private readonly tickLoop: Loop;
  private readonly demand: DemandWatch;
  private readonly wanted: Demand;
  /** Launches that died before they became healthy hold the next launch back (exponential, with jitter). */
  private readonly starts: StartOutcomes;
  private readonly names: ServerNames;
  private readonly poller: HealthPoller;
  private readonly reconciler: Reconciler;
  private readonly recent = new History();
  private paused = false;
  /** "No room" is logged at most once per interval, with the count of those not logged, so a rush cannot flood the log. */
  private noRoom = { loggedAt: Number.NEGATIVE_INFINITY, suppressed: 0 };
  /** MIN_SERVERS, or what the last scheduled rule set it to. */
  private minServers: number;
  private ready = false;
  private readonly startedAt: number;
  private closing: Promise<void> | null = null;

  constructor(private readonly deps: ManagerDeps) {
    const { config, clock } = deps;
    this.metrics = deps.metrics ?? createManagerMetrics();
    this.fleet = new Fleet({
      failThreshold: config.health.failThreshold,
      // A launched server may take a while to show in the backend's list (ECS is eventually consistent).
      listingGraceMs: Math.max(60_000, 3 * config.scaling.sleepMs),
    });
    this.book = new ReservationBook(config.scaling.reservationTtlMs, Math.min(config.scaling.joinGraceMs ?? 0, config.scaling.reservationTtlMs));
    this.allocator = new Allocator(this.fleet, this.book, config.scaling.strategy);
    this.names = new ServerNames({
      book: deps.names ?? { prefix: 'arbiter', words: DEFAULT_NAME_WORDS },
      fleet: this.fleet,
      logger: deps.logger,
      metrics: this.metrics,
      retag: (id, name) => this.executor.retag(id, name),
    });
    this.executor = new Executor({
      names: this.names,
      backend: deps.backend,
      fleet: this.fleet,
      prober: deps.prober,
      clock,
      logger: deps.logger,
      metrics: this.metrics,
    });
    this.poller = new HealthPoller({
      fleet: this.fleet,
      book: this.book,
      prober: deps.prober,
      clock,
      logger: deps.logger,
      metrics: this.metrics,
      capacity: config.scaling.capacity,
      concurrency: config.health.concurrency,
      intervalMs: config.health.pollIntervalMs,
      afterRound: (round) => this.afterPollRound(round.unhealthy),
    });
    this.startedAt = clock.now();
    this.wanted = new Demand({
      mode: config.scaling.mode ?? 'margin',
      now: () => clock.now(),
      tryAllocate: (sessionId, now) => this.allocator.allocate(sessionId, now),
      registry: this.metrics.registry,
    });
    // Reservations that were never joined do not count towards the seats expected during a launch.
    this.book.onOutcome((joined) => this.wanted.estimates.reservationOutcome(joined));
    this.starts = new StartOutcomes({ now: () => clock.now(), logger: deps.logger, metrics: this.metrics });
    // Names last, so the lines about new servers carry the name they keep.
    this.fleet.onEvents((events) => this.wanted.followFleet(events));
    this.fleet.onEvents((events) => this.starts.followFleet(events));
    this.fleet.onEvents((events) => this.names.onEvents(events));
    this.minServers = config.scaling.minServers;
    this.reconciler = new Reconciler({
      config,
      backend: deps.backend,
      fleet: this.fleet,
      book: this.book,
      executor: this.executor,
      clock,
      logger: deps.logger,
      metrics: this.metrics,
      controls: {
        paused: () => this.paused,
        minServers: () => this.minServers,
        demand: (now) => this.wanted.forPolicy(now),
        lastAllocatedAt: (id) => this.wanted.lastAllocatedAt(id),
        launchBackoffUntil: () => this.starts.blockedUntil(),
      },
      onResync: () => this.redrainStandby(),
      onDecided: (free, decisions, at) => {
        const { upscaleMargin, downscaleMargin } = config.scaling;
        this.recent.sample({ at, free, upscaleMargin, downscaleMargin });
        for (const d of decisions) {
          this.recent.event({ at, source: 'decision', kind: d.kind, serverId: 'serverId' in d ? d.serverId : null, reason: d.kind === 'launch' ? `${d.reason} (+${d.count})` : d.reason });
        }
      },
    });
    this.tickLoop = new Loop({ name: 'reconcile', run: () => this.tickAndServe(), onError: (err) => this.tickFailed(err) });
    this.demand = new DemandWatch({
      clock,
      wantsMore: () => this.ready && this.reconciler.wantsMoreCapacity(),
      wake: () => this.wake('demand'),
    });
    this.metrics.bindFleet({
      countByState: () => this.countByState(),
      freeCapacity: () => this.reconciler.freeCapacity(),
      reservations: () => this.book.size(),
      paused: () => this.paused,
      sessions: () => this.fleet.all().reduce((n, r) => n + (r.lifecycle === 'stopping' ? 0 : sessionsOf(r, this.deps.config.scaling.capacity)), 0),
    });
  }

  /** Rebuilds state from the backend, polls every server once, then starts the loops. */
  async start(): Promise<void> {
    const { logger } = this.deps;
    try {
      await this.reconciler.observe(true);
      await this.poller.round();
      this.redrainStandby();
    } catch (err) {
      // The loops retry; readiness waits for a complete observation.
      logger.error('initial rebuild failed', { error: errorMessage(err) });
    }
    this.poller.start();
    this.tickLoop.start(0);
  }

  allocate(sessionId?: string): Allocation {
    const out = this.answer(sessionId);
    // A session asking again for the seat it holds is not a new arrival.
    if (out.kind !== 'server' || !out.reused) this.wanted.arrival();
    return out;
  }

  /**
   * An allocation that may wait up to `waitMs` for a seat (first come, first served) before today's answer.
   * While it waits it is demand: the policy counts it as missing capacity. Aborting `signal` leaves the queue.
   */
  async allocateWaiting(sessionId: string | undefined, waitMs: number, signal?: AbortSignal): Promise<Allocation> {
    if (waitMs <= 0) return this.allocate(sessionId);
    this.wanted.arrival();
    const started = performance.now();
    const pending = this.wanted.waiters.wait(sessionId, waitMs, signal);
    // Queued: scale for it soon. The check is coalesced (100 ms), so a burst of waiters is counted in one decision.
    if (this.wanted.waiters.size() > 0) this.demand.allocated();
    const served = await pending;
    if (served) {
      this.metrics.allocations.inc({ result: served.reused ? 'reused' : 'server' });
      this.metrics.allocationSeconds.observe((performance.now() - started) / 1000);
      this.demand.allocated();
      return served;
    }
    return this.answer(sessionId);
  }

  /** POST /api/demand: seats a source expects to be asked for within `ttlMs`. */
  setDemand(source: string, seats: number, ttlMs: number): SetSignalResult {
    const result = this.wanted.setSignal(source, seats, ttlMs);
    if (result.ok && seats > 0) this.wake('demand');
    return result;
  }

  /** Live outside demand signals and the headroom each demand term holds, for the API. */
  demandView(): { signals: Array<{ source: string; seats: number; expiresAt: string }>; headroom: Record<string, number>; waiting: number } {
    const now = this.deps.clock.now();
    return {
      signals: this.wanted.signals.list(now).map((s) => ({ source: s.source, seats: s.seats, expiresAt: new Date(s.expiresAt).toISOString() })),
      headroom: this.wanted.headroomBySource(now),
      waiting: this.wanted.waiters.size(),
    };
  }

  private answer(sessionId?: string): Allocation {
    const started = performance.now();
    const now = this.deps.clock.now();
    const result = this.wanted.tryAllocate(sessionId);
    let out: Allocation;
    if (result.kind === 'server') {
      out = result;
      this.metrics.allocations.inc({ result: result.reused ? 'reused' : 'server' });
      this.recent.allocation('served', now);
      this.demand.allocated();
    } else {
      // No room: scale now rather than at the next interval.
      this.wake('no_room');
      const backup = this.deps.config.backup;
      out = backup ? { kind: 'backup', host: backup.host, port: backup.port, reason: result.reason } : result;
      this.metrics.allocations.inc({ result: backup ? 'backup' : 'none' });
      this.recent.allocation(backup ? 'backup' : 'refused', now);
      this.logNoRoom(result.reason, backup !== null, now);
    }
    this.metrics.allocationSeconds.observe((performance.now() - started) / 1000);
    return out;
  }

  servers(): ServerView[] {
    const now = this.deps.clock.now();
    return [...this.fleet.all()]
      .sort((a, b) => a.launchedAt - b.launchedAt || a.id.localeCompare(b.id))
      .map((r) => toServerView(r, this.book, this.deps.config.scaling.capacity, now));
  }

  server(id: string): ServerView | undefined {
    const r = this.fleet.get(id);
    return r ? toServerView(r, this.book, this.deps.config.scaling.capacity, this.deps.clock.now()) : undefined;
  }

  /** Addresses of servers in rotation (`host:gamePort`), as the seed's list route gave them. */
  rotation(): string[] {
    return this.fleet.inRotation().map((r) => gameAddressOf(r) as string);
  }

  status(): { ready: boolean; live: boolean; paused: boolean; lastTickAt: string | null; servers: number; free: number } {
    const now = this.deps.clock.now();
    const staleAfter = 3 * Math.max(this.deps.config.scaling.sleepMs, AFTER_ACTION_MS) + 30_000;
    const lastTickOkAt = this.reconciler.lastTickOk();
    const reference = lastTickOkAt ?? this.startedAt;
    return {
      ready: this.ready,
      live: now - reference <= staleAfter,
      paused: this.paused,
      lastTickAt: lastTickOkAt === null ? null : new Date(lastTickOkAt).toISOString(),
      servers: this.fleet.size(),
      free: this.reconciler.freeCapacity(),
    };
  }

  /** A gameserver's pushed health report; it counts like a poll, the fresher one wins. */
  heartbeat(id: string, report: HealthReport): boolean {
    const now = this.deps.clock.now();
    if (!this.fleet.get(id)) return false;
    this.poller.applyHeartbeat(id, report, now);
    this.wanted.waiters.serve();
    return true;
  }

  /** Free capacity over the last hour, recent decisions and actions, allocation outcomes (the dashboard). */
  history(): HistorySnapshot {
    return this.recent.snapshot(this.deps.clock.now());
  }

  private operatorAction(kind: string, id: string | null, result: AdminResult | null, reason: string): void {
    if (result && !result.ok) return;
    this.recent.event({ at: this.deps.clock.now(), source: 'action', kind, serverId: id, reason });
  }

  /** Holds the server on standby (durably: the backend records the hold) until undrained. */
  drain(id: string): AdminResult {
    const result = this.operatorStandby(id, true, 'drained by operator');
    this.operatorAction('drain', id, result, 'drained by operator');
    return result;
  }

  undrain(id: string): AdminResult {
    const result = this.operatorStandby(id, false, 'undrained by operator');
    this.operatorAction('undrain', id, result, 'undrained by operator');
    return result;
  }

  stopServer(id: string): AdminResult {
    const result = this.stopNow(id);
    this.operatorAction('stop', id, result, 'stopped by operator');
    return result;
  }

  /** Every check comes before the change: a refused command changes nothing. */
  private operatorStandby(id: string, standby: boolean, reason: string): AdminResult {
    const r = this.fleet.get(id);
    if (!r) return notFound(id);
    if (r.lifecycle === 'stopping') return { ok: false, code: 'conflict', message: `server ${id} is stopping` };
    if (r.busy) return { ok: false, code: 'conflict', message: `server ${id} has an action in flight; try again` };
    this.executor.applyStandby(id, standby, reason, standby);
    if (!standby) this.wake('operator');
    return { ok: true, server: this.server(id) as ServerView };
  }

  /** Standby servers whose report says they are not draining get /drain/ again (after a start and every resync). */
  private redrainStandby(): void {
    for (const r of this.fleet.all()) {
      if (r.standby && r.report?.draining === false) this.executor.redrain(r.id);
    }
  }

  private stopNow(id: string): AdminResult {
    const r = this.fleet.get(id);
    if (!r) return notFound(id);
    if (!this.executor.stop(id, 'stopped by operator')) {
      return { ok: false, code: 'conflict', message: `server ${id} is already stopping or has an action in flight` };
    }
    this.wake('operator');
    return { ok: true, server: this.server(id) as ServerView };
  }

  setPaused(paused: boolean): void {
    if (this.paused === paused) return;
    this.paused = paused;
    this.operatorAction(paused ? 'pause' : 'resume', null, null, paused ? 'scaling paused by operator' : 'scaling resumed by operator');
    this.deps.logger.info(paused ? 'scaling paused' : 'scaling resumed', {});
    if (!paused) this.wake('operator');
  }

  /** Changes the floor of active servers (scheduled scaling); clamped to MAX_SERVERS. */
  setMinServers(requested: number, reason: string): number {
    const applied = Math.min(Math.max(0, requested), this.deps.config.scaling.maxServers);
    if (applied !== this.minServers) {
      this.minServers = applied;
      this.deps.logger.info('minimum servers changed', { minServers: applied, requested, clamped: applied !== requested, reason });
      this.wake('schedule');
    }
    return applied;
  }

  /** One reconcile tick now (tests drive the manager with this). */
  runTick(): Promise<void> {
    return this.tickLoop.runOnce();
  }

  /** One round of health polls now. */
  runPolls(): Promise<void> {
    return this.poller.runOnce();
  }

  /** Waits for background actions (standby, stops) to finish; for tests and shutdown. */
  settle(timeoutMs = 10_000): Promise<void> {
    return this.executor.whenIdle(timeoutMs);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.demand.close();
      this.wanted.close();
      await Promise.allSettled([this.tickLoop.close(), this.poller.close()]);
      await this.executor.whenIdle(5_000);
    })();
    return this.closing;
  }

  /** Brings the next tick forward, counted by cause so that an operator can see why the loop runs. */
  private wake(cause: 'no_room' | 'demand' | 'unhealthy' | 'operator' | 'schedule'): void {
    this.metrics.wakes.inc({ cause });
    this.tickLoop.wake();
  }

  /** A tick, then seats it freed or servers it returned go to waiting allocations. */
  private async tickAndServe(): Promise<number> {
    try {
      return await this.reconciler.tick();
    } finally {
      this.wanted.waiters.serve();
    }
  }

  private afterPollRound(unhealthy: boolean): void {
    this.wanted.waiters.serve();
    if (!this.ready && this.reconciler.hasObserved()) {
      this.ready = true;
      this.deps.logger.info('manager ready', { servers: this.fleet.size(), free: this.reconciler.freeCapacity() });
    }
    // Replace a dead server in this tick, not the next scheduled one; meet new demand as soon as it shows.
    if (unhealthy) this.wake('unhealthy');
    else this.demand.check();
  }

  private logNoRoom(reason: string, backup: boolean, now: number): void {
    if (now - this.noRoom.loggedAt < NO_ROOM_LOG_INTERVAL_MS) {
      this.noRoom.suppressed += 1;
      return;
    }
    this.deps.logger.warn('no server with room', { reason, backup, alsoSinceLastLine: this.noRoom.suppressed });
    this.noRoom = { loggedAt: now, suppressed: 0 };
  }

  private countByState(): Record<ServerState, number> {
    const counts: Record<ServerState, number> = { pending: 0, active: 0, standby: 0, stopping: 0, unhealthy: 0 };
    for (const r of this.fleet.all()) counts[stateOf(r)] += 1;
    return counts;
  }

  private tickFailed(err: unknown): number {
    this.metrics.ticks.inc({ result: 'error' });
    this.deps.logger.error('loop failed', { loop: 'reconcile', error: errorMessage(err), stack: err instanceof Error ? err.stack : undefined });
    return retryAfterFailureMs(this.deps.config.scaling.sleepMs);
  }
}

function notFound(id: string): AdminResult {
  return { ok: false, code: 'not_found', message: `no server with id ${id}` };
}
