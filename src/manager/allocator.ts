// Hands out gameservers. Selection is a pure function; the reservation is taken synchronously,
// before any await, so concurrent requests can never oversubscribe a server (§3.3, style habit 5).
import { CapacityIndex, effectiveCapacity, type AllocationStrategy } from './capacity-index.js';
import type { Fleet } from './fleet.js';
import { isInRotation, type ServerRecord } from './server-record.js';
import type { ReservationBook } from './reservations.js';
import type { ServerPorts } from '../shared/gameserver-ports.js';

export { effectiveCapacity, type AllocationStrategy };

export interface Candidate {
  id: string;
  effectiveCapacity: number;
  launchedAt: number;
}

/**
 * Chooses among servers with room. `packed` fills the fullest server first so that empty ones can
 * be stood down; `spread` gives each new session the server with the most room (the seed's way).
 * Ties go to the oldest server, then the smallest id, so the choice is deterministic.
 */
export function selectServer<C extends Candidate>(candidates: readonly C[], strategy: AllocationStrategy): C | undefined {
  let best: C | undefined;
  for (const c of candidates) {
    if (c.effectiveCapacity <= 0) continue;
    if (!best) {
      best = c;
      continue;
    }
    const diff = strategy === 'packed' ? best.effectiveCapacity - c.effectiveCapacity : c.effectiveCapacity - best.effectiveCapacity;
    if (diff > 0 || (diff === 0 && (c.launchedAt < best.launchedAt || (c.launchedAt === best.launchedAt && c.id < best.id)))) {
      best = c;
    }
  }
  return best;
}

/**
 * The reference choice: a full scan of the fleet, as the index must always agree with (the property
 * tests check it). Not on the allocation path.
 */
export function scanFleet(fleet: Fleet, book: ReservationBook, strategy: AllocationStrategy, now: number): { id: string; effectiveCapacity: number } | undefined {
  const candidates: Candidate[] = [];
  for (const record of fleet.inRotation()) {
    candidates.push({ id: record.id, launchedAt: record.launchedAt, effectiveCapacity: effectiveCapacity(record, book, now) });
  }
  const chosen = selectServer(candidates, strategy);
  return chosen && { id: chosen.id, effectiveCapacity: chosen.effectiveCapacity };
}

export interface AllocatedServer {
  id: string;
  name: string;
  host: string;
  ports: ServerPorts;
}

export type AllocationResult =
  | { kind: 'server'; server: AllocatedServer; reused: boolean }
  | { kind: 'none'; reason: string };

export class Allocator {
  private readonly index: CapacityIndex;

  constructor(
    private readonly fleet: Fleet,
    private readonly book: ReservationBook,
    strategy: AllocationStrategy,
    /** The index's B-tree node size; tests pass a small one so that a few servers make a deep tree. */
    maxNodeSize?: number,
  ) {
    this.index = new CapacityIndex(fleet, book, strategy, maxNodeSize);
  }

  /** What allocate() would choose at `now`, without reserving. */
  peek(now: number): { id: string; effectiveCapacity: number } | undefined {
    this.index.advance(now);
    const best = this.index.best();
    return best && { id: best.record.id, effectiveCapacity: best.effectiveCapacity };
  }

  /** Every server with room at `now`, in the order the index ranks them (for tests: O(N)). */
  ranked(now: number): Array<{ id: string; effectiveCapacity: number }> {
    this.index.advance(now);
    return this.index.ranked();
  }

  /** Effective capacity summed over the servers in rotation at `now`: what the policy counts as active free capacity. */
  freeInRotation(now: number): number {
    this.index.advance(now);
    return this.index.freeTotal();
  }

  /** Chooses from the index (O(log N)) and reserves in the same synchronous step. */
  allocate(sessionId: string | undefined, now: number): AllocationResult {
    this.index.advance(now);
    if (sessionId !== undefined) {
      const existing = this.book.forSession(sessionId, now);
      if (existing) {
        const record = this.fleet.get(existing.serverId);
        // The same session gets the same server while it is in rotation (the one predicate for what may serve a
        // session: a drained or standby server may not); otherwise it is placed anew.
        if (record && isInRotation(record)) {
          return { kind: 'server', server: toAllocated(record), reused: true };
        }
        this.book.release(existing);
      }
    }
    const chosen = this.index.best();
    if (!chosen) return { kind: 'none', reason: this.index.rotationSize() === 0 ? 'no server in rotation' : 'every server is full' };
    this.book.add(chosen.record.id, sessionId, now);
    return { kind: 'server', server: toAllocated(chosen.record), reused: false };
  }
}

function toAllocated(r: ServerRecord): AllocatedServer {
  // Callers reach here only for records with an address (inRotation or checked above).
  return { id: r.id, name: r.name, host: r.host as string, ports: r.ports as ServerPorts };
}
