// The servers that can take a player, kept in allocation order as the fleet and the reservations
// change, so that choosing one costs O(log N) instead of a visit of the whole fleet (issue 14).
import sortedBtree from 'sorted-btree';

// sorted-btree is CommonJS with its class on `exports.default`: Node's ESM import hands us `exports`,
// a bundler's interop (vitest) the class itself.
const loaded: unknown = sortedBtree;
const BTree = (typeof loaded === 'function' ? loaded : sortedBtree.default) as typeof sortedBtree.default;
type BTree<K, V> = InstanceType<typeof sortedBtree.default<K, V>>;
import type { Fleet } from './fleet.js';
import { isInRotation, type ServerRecord } from './server-record.js';
import type { ReservationBook } from './reservations.js';

export type AllocationStrategy = 'packed' | 'spread';

/** A server's reported room minus what was handed out since the poll that reported it. Never below 0. */
export function effectiveCapacity(r: ServerRecord, book: ReservationBook, now: number): number {
  if (!r.report) return 0;
  return Math.max(0, r.report.availableCapacity - book.pendingSince(r.id, r.reportSentAt, now));
}

interface Key {
  capacity: number;
  launchedAt: number;
  id: string;
  /** The record the tree holds under this key (not compared), so "nothing changed" needs no tree lookup. */
  record: ServerRecord;
}

/** Orders keys the way selectServer ranks candidates: best first, ties to the oldest, then the smallest id. */
function comparatorFor(strategy: AllocationStrategy): (a: Key, b: Key) => number {
  const room = strategy === 'packed' ? (a: Key, b: Key) => a.capacity - b.capacity : (a: Key, b: Key) => b.capacity - a.capacity;
  return (a, b) => {
    const byRoom = room(a, b);
    if (byRoom !== 0) return byRoom;
    if (a.launchedAt !== b.launchedAt) return a.launchedAt < b.launchedAt ? -1 : 1;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  };
}

export interface IndexedServer {
  record: ServerRecord;
  effectiveCapacity: number;
}

/**
 * Subscribes to the fleet's and the book's change notices and recomputes only the server named.
 * Room given back by a reservation's TTL has no event of its own: `advance(now)` asks the book for
 * the reservations that expired since the last call, so the index agrees with a full scan at `now`.
 */
export class CapacityIndex {
  private readonly tree: BTree<Key, ServerRecord>;
  private readonly keys = new Map<string, Key>();
  /** Servers in rotation, with room or not: "every server is full" differs from "none in rotation". */
  private readonly rotation = new Set<string>();
  /** The sum of the indexed servers' effective capacity: the policy's free capacity of active servers. */
  private free = 0;
  private now = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly fleet: Fleet,
    private readonly book: ReservationBook,
    strategy: AllocationStrategy,
  ) {
    this.tree = new BTree<Key, ServerRecord>(undefined, comparatorFor(strategy));
    fleet.onChange((id) => this.touch(id));
    book.onChange((id) => this.touch(id));
    for (const r of fleet.all()) this.touch(r.id);
  }

  /** Brings expiry up to `now` (time never goes back here: an earlier `now` is ignored). */
  advance(now: number): void {
    if (now <= this.now) return;
    this.now = now;
    this.book.expire(now);
  }

  /** The server allocation would choose at the last `advance`, without reserving. */
  best(): IndexedServer | undefined {
    const key = this.tree.minKey();
    if (!key) return undefined;
    return { record: key.record, effectiveCapacity: key.capacity };
  }

  rotationSize(): number {
    return this.rotation.size;
  }

  /** Effective capacity summed over the servers in rotation at the last `advance`, kept as they change. */
  freeTotal(): number {
    return this.free;
  }

  /** Recomputes one server's place; a server that left the fleet or the rotation leaves the index. */
  touch(id: string): void {
    const old = this.keys.get(id);
    const record = this.fleet.get(id);
    const inRotation = record !== undefined && isInRotation(record);
    if (inRotation) this.rotation.add(id);
    else this.rotation.delete(id);
    const capacity = inRotation ? effectiveCapacity(record, this.book, this.now) : 0;
    if (old && record && old.capacity === capacity && old.launchedAt === record.launchedAt && old.record === record) return;
    if (old) {
      this.tree.delete(old);
      this.free -= old.capacity;
    }
    if (!record || capacity <= 0) {
      if (old) this.keys.delete(id);
      return;
    }
    this.free += capacity;
    // The key object is reused and the map entry overwritten, never deleted and set again: V8's Map keeps a
    // deleted entry in its bucket's chain until the table is rebuilt, so deleting and re-adding the server
    // an allocation just chose makes that chain (and every lookup of it) grow with the fleet's size.
    if (old) {
      old.capacity = capacity;
      old.launchedAt = record.launchedAt;
      old.record = record;
      this.tree.set(old, record);
      return;
    }
    const key: Key = { capacity, launchedAt: record.launchedAt, id, record };
    this.tree.set(key, record);
    this.keys.set(id, key);
  }
}
