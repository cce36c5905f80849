// How launched servers fare: one that goes away before it was ever healthy backs every launch off (the policy reads
// `blockedUntil`), and the first healthy start clears the back-off. Both are logged and the failures counted.
import type { Logger } from '../shared/log.js';
import type { ManagerMetrics } from './metrics.js';
import type { FleetEvent } from './server-record.js';
import { StartFailureBackoff } from './start-failure-backoff.js';

export interface StartOutcomesDeps {
  now: () => number;
  logger: Logger;
  metrics: ManagerMetrics;
  backoff?: StartFailureBackoff;
}

export class StartOutcomes {
  private readonly backoff: StartFailureBackoff;

  constructor(private readonly deps: StartOutcomesDeps) {
    this.backoff = deps.backoff ?? new StartFailureBackoff();
  }

  /** No launch before this time, or undefined when launches may go ahead. */
  blockedUntil(): number | undefined {
    return this.backoff.blockedUntil();
  }

  followFleet(events: readonly FleetEvent[]): void {
    const { logger, metrics } = this.deps;
    for (const e of events) {
      if (e.type === 'active') {
        if (this.backoff.recordHealthyStart()) logger.info('launch back-off reset: a server became healthy', { serverId: e.server.id });
      } else if (e.type === 'removed' && e.server.lastHealthyAt === null) {
        const delayMs = this.backoff.recordStartFailure(this.deps.now());
        metrics.startFailures.inc();
        logger.warn('server died before it became healthy; launches back off', { serverId: e.server.id, reason: e.reason, failuresInARow: this.backoff.failures(), backoffMs: delayMs });
      }
    }
  }
}
