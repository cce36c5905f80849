// One round of health polls: every server that can answer, concurrently within a bound, each result
// applied to the fleet as it arrives. A good report also lets the sessions it newly shows absorb the
// reservations handed out for them (§3.3 effective capacity).
import pLimit from 'p-limit';
import type { Logger } from '../shared/log.js';
import type { Clock } from '../shared/clock.js';
import type { Fleet } from './fleet.js';
import { logFleetEvents } from './fleet-log.js';
import { sessionsOf, type FleetEvent } from './server-record.js';
import type { ManagerMetrics } from './metrics.js';
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
  private readonly limit: ReturnType<typeof pLimit>;
  /** Servers whose clamp was logged: once per server, so a lying server cannot flood the log. */
  private readonly clampLogged = new Set<string>();

  constructor(private readonly deps: HealthPollerDeps) {
    this.limit = pLimit(deps.concurrency);
  }

  /** Polls every pending or running server with an address; says whether any became unhealthy. */
  async pollAll(): Promise<{ unhealthy: boolean }> {
    const { fleet, prober, clock, logger, metrics } = this.deps;
    const targets = fleet.all().filter((r) => r.pollHost !== null && r.ports !== null && (r.lifecycle === 'pending' || r.lifecycle === 'running'));
    let unhealthy = false;
    await Promise.all(
      targets.map((r) =>
        this.limit(async () => {
          const sentAt = clock.now();
          const result = await prober.probe(r.pollHost as string, (r.ports as { health: number }).health);
          const now = clock.now();
          const events = result.ok ? this.take(r.id, result.report, sentAt, now, 'poll') : fleet.applyFailure(r.id, result.error, now);
          metrics.polls.inc({ result: result.ok ? 'ok' : 'failed' });
          if (!result.ok) logger.warn('poll failed', { serverId: r.id, name: r.name, error: result.error, failures: fleet.get(r.id)?.failures });
          if (events.some((e) => e.type === 'unhealthy')) unhealthy = true;
          logFleetEvents(logger, events);
        }),
      ),
    );
    return { unhealthy };
  }

  /** A gameserver's pushed report; it counts like a poll, the fresher one wins. */
  applyHeartbeat(id: string, report: HealthReport, now: number): void {
    logFleetEvents(this.deps.logger, this.take(id, report, now, now, 'heartbeat'));
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
    // Only a report that was taken (not older than the one held) says anything about new sessions.
    if (after && before !== null && after.report === report) {
      const rise = sessionsOf(after, capacity) - before;
      book.absorb(id, rise, now);
      if (rise > 0) this.deps.metrics.sessionsStarted.inc(rise);
    }
    return events;
  }
}
