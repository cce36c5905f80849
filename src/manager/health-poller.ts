// Health polls: a round polls every server that can answer, concurrently within a bound, each result applied to
// the fleet as it arrives; rounds run at a fixed rate on their own loop. A good report also lets the sessions it
// newly shows absorb the reservations handed out for them (§3.3 effective capacity).
import type { LogBursts } from '../shared/log-bursts.js';
import type { Logger } from '../shared/log.js';
import type { Clock } from '../shared/clock.js';
import { errorMessage } from './executor.js';
import type { Fleet } from './fleet.js';
import { logFleetEvents, logObserved } from './fleet-log.js';
import { sessionsOf, type FleetEvent, type ServerRecord } from './server-record.js';
import type { ManagerMetrics } from './metrics.js';
import { Loop } from './loop.js';
import type { HealthProber } from './prober.js';
import type { ReservationBook } from './reservations.js';
import type { HealthReport } from './types.js';

export interface HealthPollerDeps {
  fleet: Fleet;
  book: ReservationBook;
  prober: HealthProber;
  clock: Clock;
  logger: Logger;
  metrics: ManagerMetrics;
  /** GAMESERVER_CAPACITY: what a report without max_capacity is taken to mean. */
  capacity: number;
  /** Polls in flight at once. */
  concurrency: number;
  /** One round starts every this often (POLL_INTERVAL), however long the last one took. */
  intervalMs: number;
  /** After each round, with what it found. */
  afterRound?: (round: PollRound) => void;
  /** Per-server lines in bulk (failed polls, fleet events): flushed after each round. */
  bursts?: LogBursts;
}

export interface PollRound {
  /** A server became unhealthy in this round: it is to be replaced now, not at the next scheduled tick. */
  unhealthy: boolean;
}

/**
 * A report judged against capacity: one claiming more room than its own max_capacity is a lie (a failed poll); one
 * above the server's capacity (max_capacity, or GAMESERVER_CAPACITY without it) is clamped to it.
 */
export function boundReport(report: HealthReport, capacity: number): { ok: true; report: HealthReport; clamped: boolean } | { ok: false; error: string } {
  if (report.maxCapacity !== undefined && report.availableCapacity > report.maxCapacity) {
    return { ok: false, error: `health report: available_capacity ${report.availableCapacity} above its own max_capacity ${report.maxCapacity}` };
  }
  const limit = report.maxCapacity ?? capacity;
  if (report.availableCapacity <= limit) return { ok: true, report, clamped: false };
  return { ok: true, report: { ...report, availableCapacity: limit }, clamped: true };
}

export class HealthPoller {
  /** Servers whose clamp was logged: once per server, so a lying server cannot flood the log. */
  private readonly clampLogged = new Set<string>();

  private readonly loop: Loop;

  constructor(private readonly deps: HealthPollerDeps) {
    this.loop = new Loop({ name: 'poll', run: () => this.pacedRound(), onError: (err) => this.roundFailed(err) });
  }

  /** Polls on the loop, the first round one interval from now. */
  start(): void {
    this.loop.start(this.deps.intervalMs);
  }

  /** One round now, on the loop (never two at once). */
  runOnce(): Promise<void> {
    return this.loop.runOnce();
  }

  close(): Promise<void> {
    return this.loop.close();
  }

  /** Polls every server once, then tells `afterRound` what the round found. */
  async round(): Promise<void> {
    const found = await this.pollAll();
    this.deps.bursts?.flush();
    this.deps.afterRound?.(found);
  }

  private async pacedRound(): Promise<number> {
    const { clock, intervalMs } = this.deps;
    const started = clock.now();
    await this.round();
    // Fixed rate: a slow round does not push every later poll back.
    return Math.max(0, intervalMs - (clock.now() - started));
  }

  /** A round that failed as a whole (not a failed poll of one server): counted, logged, tried again next interval. */
  private roundFailed(err: unknown): number {
    this.deps.metrics.polls.inc({ result: 'error' });
    this.deps.logger.error('loop failed', { loop: 'poll', error: errorMessage(err), stack: err instanceof Error ? err.stack : undefined });
    return this.deps.intervalMs;
  }

  /**
   * Polls every pending or running server with an address; says whether any became unhealthy. A fixed set of
   * `concurrency` pollers takes the next server from the list: no closure or promise per server is made at the start
   * of a round (at 10,000 servers that was a block of the event loop and megabytes promoted to the old heap).
   */
  async pollAll(): Promise<PollRound> {
    const targets = this.deps.fleet.all().filter((r) => r.pollHost !== null && r.ports !== null && (r.lifecycle === 'pending' || r.lifecycle === 'running'));
    const round = { unhealthy: false };
    let next = 0;
    const poller = async (): Promise<void> => {
      while (next < targets.length) {
        const target = targets[next] as ServerRecord;
        next += 1;
        if (await this.pollOne(target)) round.unhealthy = true;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.deps.concurrency, targets.length) }, poller));
    return round;
  }

  /** One poll of one server, applied to the fleet; true when it made the server unhealthy. */
  private async pollOne(r: ServerRecord): Promise<boolean> {
    const { fleet, prober, clock, logger, metrics } = this.deps;
    const sentAt = clock.now();
    const result = await prober.probe(r.pollHost as string, (r.ports as { health: number }).health);
    if (!result.ok && result.inconclusive) {
      // The prober could not ask (its own failure, logged there): the server keeps its state and its failure count.
      metrics.polls.inc({ result: 'inconclusive' });
      return false;
    }
    const now = clock.now();
    const events = result.ok ? this.take(r.id, result.report, sentAt, now, 'poll') : fleet.applyFailure(r.id, result.error, now);
    metrics.polls.inc({ result: result.ok ? 'ok' : 'failed' });
    if (!result.ok) {
      const fields = { serverId: r.id, name: r.name, error: result.error, failures: fleet.get(r.id)?.failures };
      logObserved(logger, this.deps.bursts, 'warn', 'poll failed', fields, 'error');
    }
    logFleetEvents(logger, events, this.deps.bursts);
    return events.some((e) => e.type === 'unhealthy');
  }

  /** A gameserver's pushed report; it counts like a poll, the fresher one wins. */
  applyHeartbeat(id: string, report: HealthReport, now: number): void {
    logFleetEvents(this.deps.logger, this.take(id, report, now, now, 'heartbeat'), this.deps.bursts);
  }

  /** Applies a good report (a poll's or a heartbeat's) and returns the fleet events it caused. */
  private take(id: string, report: HealthReport, sentAt: number, now: number, source: 'poll' | 'heartbeat'): FleetEvent[] {
    const { fleet, book, capacity, logger } = this.deps;
    const bounded = boundReport(report, capacity);
    if (!bounded.ok) return fleet.applyFailure(id, bounded.error, now);
    if (bounded.clamped && !this.clampLogged.has(id)) {
      this.clampLogged.add(id);
      logger.warn('health report above capacity', { serverId: id, reported: report.availableCapacity, clampedTo: bounded.report.availableCapacity, source });
    }
    report = bounded.report;
    const record = fleet.get(id);
    const before = record?.report ? sessionsOf(record, capacity) : null;
    const events = fleet.applyReport(id, report, sentAt, now, source);
    const after = fleet.get(id);
    // A report the fleet did not take (older than the one held, or for a stopping server) leaves the record's
    // sessions as they were, so only a taken one shows a rise.
    if (after && before !== null) {
      const rise = sessionsOf(after, capacity) - before;
      book.absorb(id, rise, now);
      if (rise > 0) this.deps.metrics.sessionsStarted.inc(rise);
    }
    return events;
  }
}
