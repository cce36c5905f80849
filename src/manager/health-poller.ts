// One round of health polls: every server that can answer, concurrently within a bound, each result
// applied to the fleet as it arrives. A good report also lets the sessions it newly shows absorb the
// reservations handed out for them (§3.3 effective capacity).
import pLimit from 'p-limit';
import type { Logger } from '../log.js';
import type { Clock } from './clock.js';
import { sessionsOf, type Fleet, type FleetEvent } from './fleet.js';
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
  onEvents: (events: FleetEvent[]) => void;
}

export class HealthPoller {
  private readonly limit: ReturnType<typeof pLimit>;

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
          const events = result.ok ? this.applyReport(r.id, result.report, sentAt, now, 'poll') : fleet.applyFailure(r.id, result.error, now);
          metrics.polls.inc({ result: result.ok ? 'ok' : 'failed' });
          if (!result.ok) logger.warn('poll failed', { serverId: r.id, name: r.name, error: result.error, failures: fleet.get(r.id)?.failures });
          if (events.some((e) => e.type === 'unhealthy')) unhealthy = true;
          this.deps.onEvents(events);
        }),
      ),
    );
    return { unhealthy };
  }

  /** Applies a good report (a poll's or a heartbeat's) and returns the fleet events it caused. */
  applyReport(id: string, report: HealthReport, sentAt: number, now: number, source: 'poll' | 'heartbeat'): FleetEvent[] {
    const { fleet, book, capacity } = this.deps;
    const record = fleet.get(id);
    const before = record?.report ? sessionsOf(record, capacity) : null;
    const events = fleet.applyReport(id, report, sentAt, now, source);
    const after = fleet.get(id);
    // Only a report that was taken (not older than the one held) says anything about new sessions.
    if (after && before !== null && after.report === report) book.absorb(id, sessionsOf(after, capacity) - before, now);
    return events;
  }
}
