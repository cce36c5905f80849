// How many servers are in each state, kept as the fleet changes (one change notice, one update), so that a
// steady tick, the demand watch and /metrics can see "no server pending, unhealthy or on standby" without
// visiting 10,000 records (issue 14).
import type { Fleet } from './fleet.js';
import { stateOf } from './server-record.js';
import type { ServerState } from './types.js';

export class StateCounts {
  private readonly states = new Map<string, ServerState>();
  private readonly counts: Record<ServerState, number> = { pending: 0, active: 0, standby: 0, stopping: 0, unhealthy: 0 };

  constructor(private readonly fleet: Fleet) {
    fleet.onChange((id) => this.touch(id));
    for (const r of fleet.all()) this.touch(r.id);
  }

  count(state: ServerState): number {
    return this.counts[state];
  }

  /** A fresh copy of every state's count. */
  all(): Record<ServerState, number> {
    return { ...this.counts };
  }

  private touch(id: string): void {
    const record = this.fleet.get(id);
    const next = record ? stateOf(record) : undefined;
    const prev = this.states.get(id);
    if (prev === next) return;
    if (prev !== undefined) this.counts[prev] -= 1;
    if (next === undefined) {
      this.states.delete(id);
      return;
    }
    this.counts[next] += 1;
    this.states.set(id, next);
  }
}
