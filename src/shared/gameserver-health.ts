// The §3.1 answer of Arbiter's own gameservers (the demo gameserver, the sidecar, the simulator's), computed one way.
// Pure, and it imports the contract for its types only, so a gameserver process does not load the schema library.
import type { FullHealthBody } from './gameserver-contract.js';

export type { FullHealthBody } from './gameserver-contract.js';

export interface HealthState {
  /** Sessions the gameserver holds at most. */
  capacity: number;
  /** Sessions it holds now (open, running or being set up). */
  activeSessions: number;
  draining: boolean;
  /** False while the gameserver cannot take a session for another reason (the sidecar's Cerveau is down). */
  accepting?: boolean;
}

/** No room while draining or not accepting; ready to close once draining and empty. */
export function healthBodyFor(state: HealthState): FullHealthBody {
  const { capacity, activeSessions, draining, accepting = true } = state;
  return {
    available_capacity: draining || !accepting ? 0 : Math.max(0, capacity - activeSessions),
    ready_to_close: draining && activeSessions === 0,
    max_capacity: capacity,
    active_sessions: activeSessions,
    draining,
  };
}
