// Ways to bring a Fleet's record into a state the way production does, for tests that need the state and not the
// path to it.
import type { Fleet } from '../../src/manager/fleet.js';
import type { FleetEvent } from '../../src/manager/server-record.js';

/**
 * Fails polls of a running server until FAIL_THRESHOLD makes it unhealthy; returns the events of the poll that did.
 * A server that is not running (pending, stopping, already unhealthy) takes one failed poll and is left as it is.
 */
export function failUntilUnhealthy(fleet: Fleet, id: string, reason: string, now = 0): FleetEvent[] {
  for (let polls = 0; polls < 1_000; polls++) {
    const running = fleet.get(id)?.lifecycle === 'running';
    const events = fleet.applyFailure(id, reason, now);
    if (!running || events.some((e) => e.type === 'unhealthy')) return events;
  }
  throw new Error(`failUntilUnhealthy: ${id} still running after 1,000 failed polls`);
}
