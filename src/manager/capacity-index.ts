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

/** What the tree orders by. */
interface Rank {
  capacity: number;
  launchedAt: number;
  id: string;
}

interface Key extends Rank {
  /** The record the tree holds under this key (not compared), so "nothing changed" needs no tree lookup. */
  record: ServerRecord;
}

/** Orders keys the way selectServer ranks candidates: best first, ties to the oldest, then the smallest id. */
function comparatorFor(strategy: AllocationStrategy): (a: Rank, b: Rank) => number {
  const room = strategy === 'packed' ? (a: Rank, b: Rank) => a.capacity - b.capacity : (a: Rank, b: Rank) => b.capacity - a.capacity;
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
  /** Keys only: the record rides on the key, and a tree of `undefined` values stores no value arrays. */
  private readonly tree: BTree<Key, undefined>;
  private readonly compare: (a: Rank, b: Rank) => number;
  private readonly keys = new Map<string, Key>();
  /** Servers in rotation, with room or not: "every server is full" differs from "none in rotation". */
  private readonly rotation = new Set<string>();
  /** The sum of the indexed servers' effective capacity: the policy's free capacity of active servers. */
  private free = 0;
  private now = Number.NEGATIVE_INFINITY;
  /** A key's would-be rank, reused so that checking a move makes no object. */
  private readonly probe: Rank = { capacity: 0, launchedAt: 0, id: '' };

  /** @param maxNodeSize the B-tree's node size (sorted-btree's default 32); tests pass a small one to get a deep tree. */
  constructor(
    private readonly fleet: Fleet,
    private readonly book: ReservationBook,
    strategy: AllocationStrategy,
    maxNodeSize?: number,
  ) {
    this.compare = comparatorFor(strategy);
    this.tree = new BTree<Key, undefined>(undefined, this.compare, maxNodeSize);
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

  /** Every indexed server, best first, as the last `advance` left them (for tests: O(N)). */
  ranked(): Array<{ id: string; effectiveCapacity: number }> {
    return this.tree.keysArray().map((k) => ({ id: k.id, effectiveCapacity: k.capacity }));
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
    if (!record || capacity <= 0) {
      if (old) {
        this.tree.delete(old);
        this.free -= old.capacity;
        this.keys.delete(id);
      }
      return;
    }
    if (!old) {
      const key: Key = { capacity, launchedAt: record.launchedAt, id, record };
      this.tree.set(key, undefined);
      this.keys.set(id, key);
      this.free += capacity;
      return;
    }
    // The key object is reused and the map entry kept, never deleted and set again: V8's Map keeps a deleted
    // entry in its bucket's chain until the table is rebuilt, so deleting and re-adding the server an
    // allocation just chose makes that chain (and every lookup of it) grow with the fleet's size.
    this.free += capacity - old.capacity;
    old.record = record;
    if (old.capacity === capacity && old.launchedAt === record.launchedAt) return;
    // Most changes leave the server between the same neighbours (an allocation in `packed` lowers the room of
    // the first server, which stays first): then the key changes in place. Deleting and inserting instead
    // merges and splits a leaf at each allocation, which cost more than the rest of allocate() at 10,000 servers.
    const moves = !this.keepsRank(old, capacity, record.launchedAt);
    if (moves) this.tree.delete(old);
    old.capacity = capacity;
    old.launchedAt = record.launchedAt;
    if (moves) this.tree.set(old, undefined);
  }

  /**
   * Whether `key`, given a new capacity and launch time, still sorts between its neighbours in the tree. The tree
   * (its leaves and the max keys its inner nodes copy) holds this very object, so changing it in place keeps
   * the tree ordered exactly when it stays after the next lower key and before the next higher one; a move
   * toward the front can only pass the lower neighbour, a move back only the higher one.
   */
  private keepsRank(key: Key, capacity: number, launchedAt: number): boolean {
    const probe = this.probe;
    probe.capacity = capacity;
    probe.launchedAt = launchedAt;
    probe.id = key.id;
    if (this.compare(probe, key) < 0) {
      const lower = this.tree.nextLowerKey(key);
      return lower === undefined || this.compare(lower, probe) < 0;
    }
    const higher = this.tree.nextHigherKey(key);
    return higher === undefined || this.compare(probe, higher) < 0;
  }
}
