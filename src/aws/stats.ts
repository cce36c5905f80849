// Counters the ECS backend exposes for metrics and tests.
import type { LaunchFailure } from '../manager/backend.js';

export interface EcsBackendStatsSnapshot {
  launchRequested: number;
  launched: number;
  launchFailures: number;
  failuresByReason: Record<string, number>;
  backoffRejections: number;
  stopped: number;
}

export class EcsBackendStats {
  launchRequested = 0;
  launched = 0;
  backoffRejections = 0;
  stopped = 0;
  private readonly byReason = new Map<string, number>();

  recordFailures(failures: LaunchFailure[]): void {
    for (const f of failures) this.byReason.set(f.reason, (this.byReason.get(f.reason) ?? 0) + 1);
  }

  snapshot(): EcsBackendStatsSnapshot {
    const failuresByReason = Object.fromEntries(this.byReason);
    const launchFailures = [...this.byReason.values()].reduce((a, b) => a + b, 0);
    return {
      launchRequested: this.launchRequested,
      launched: this.launched,
      launchFailures,
      failuresByReason,
      backoffRejections: this.backoffRejections,
      stopped: this.stopped,
    };
  }
}
