// How many servers are in each state, and the sessions they report, kept as the fleet changes (one change notice,
// one update), so that a steady tick, the demand watch, /metrics and the fleet summary line can see "no server
// pending, unhealthy or on standby" or "so many sessions" without visiting 10,000 records (issue 14).
import type { Fleet } from './fleet.js';
import { sessionsOf, stateOf } from './server-record.js';
import type { ServerState } from './types.js';

/** What is counted of one server: its state, and its sessions (none once it is stopping). */
interface Counted {
  state: ServerState;
  sessions: number;
}

export class StateCounts {
  private readonly counted = new Map<string, Counted>();
  private readonly counts: Record<ServerState, number> = { pending: 0, active: 0, standby: 0, stopping: 0, unhealthy: 0 };
  private sessionTotal = 0;

  /** @param capacity GAMESERVER_CAPACITY: what a report without max_capacity is taken to mean. */
  constructor(
    private readonly fleet: Fleet,
    private readonly capacity: number,
  ) {
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

  /** Sessions the servers report now; a stopping server's no longer count. */
  sessions(): number {
    return this.sessionTotal;
  }

  private touch(id: string): void {
    const record = this.fleet.get(id);
    const prev = this.counted.get(id);
    if (prev !== undefined) {
      this.counts[prev.state] -= 1;
      this.sessionTotal -= prev.sessions;
    }
    if (!record) {
      this.counted.delete(id);
      return;
    }
    const state = stateOf(record);
    const sessions = record.lifecycle === 'stopping' ? 0 : sessionsOf(record, this.capacity);
    this.counts[state] += 1;
    this.sessionTotal += sessions;
    if (prev === undefined) this.counted.set(id, { state, sessions });
    else {
      prev.state = state;
      prev.sessions = sessions;
    }
  }
}
