// What waits for an answer, keyed by sequence numbers handed out in ascending order: a ring of slots overwritten in
// place, instead of a Map. A Map that thousands of entries a second pass through rebuilds its table every few dozen
// of them, and a discarded table keeps pointing at the entries and at the table that replaced it. Once one table
// had reached the old generation, the scavenger kept every later table alive through it, and with the tables
// every answer, promise and poll result they held. At 10,000 servers polled every 2 s, that was about 1 MB a second
// promoted on the manager's thread, which only full GCs gave back. A slot that is cleared holds nothing.

export class PendingBySeq<T> {
  private slots: Array<T | undefined>;
  /** The seq each slot holds (-1: none), so that a stale seq cannot take a newer entry in the same slot. */
  private seqs: Float64Array;
  /** No entry below `low` is pending; when any is, `low` is the oldest. */
  private low = 1;
  private high = 0;
  private count = 0;

  /** @param capacity initial slots (it doubles when the oldest pending entry is that far behind the newest). */
  constructor(capacity = 1024) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('PendingBySeq: capacity must be a positive integer');
    this.slots = new Array<T | undefined>(capacity).fill(undefined);
    this.seqs = new Float64Array(capacity).fill(-1);
  }

  get size(): number {
    return this.count;
  }

  /** Adds `value` under `seq`, which must be above every seq added before. */
  add(seq: number, value: T): void {
    if (!Number.isSafeInteger(seq) || seq <= this.high) throw new RangeError(`PendingBySeq: seq ${seq} is not above ${this.high}`);
    if (this.count === 0) this.low = seq;
    while (seq - this.low >= this.slots.length) this.grow();
    const at = seq % this.slots.length;
    this.slots[at] = value;
    this.seqs[at] = seq;
    this.high = seq;
    this.count += 1;
  }

  /** Removes and returns what waits under `seq`; undefined when nothing does (answered already, or never added). */
  take(seq: number): T | undefined {
    if (seq < this.low || seq > this.high) return undefined;
    const at = seq % this.slots.length;
    if (this.seqs[at] !== seq) return undefined;
    const value = this.slots[at] as T;
    this.slots[at] = undefined;
    this.seqs[at] = -1;
    this.count -= 1;
    if (seq === this.low) this.advanceLow();
    return value;
  }

  /** The oldest seq still waiting; undefined when none is. */
  oldest(): number | undefined {
    return this.count === 0 ? undefined : this.low;
  }

  /** Removes every entry up to `upTo` (inclusive), oldest first, handing each to `each`; returns how many. */
  takeUpTo(upTo: number, each: (seq: number, value: T) => void): number {
    let taken = 0;
    while (this.count > 0 && this.low <= upTo) {
      const seq = this.low;
      each(seq, this.take(seq) as T);
      taken += 1;
    }
    return taken;
  }

  private advanceLow(): void {
    if (this.count === 0) {
      this.low = this.high + 1;
      return;
    }
    const length = this.slots.length;
    let seq = this.low + 1;
    while (this.seqs[seq % length] !== seq) seq += 1;
    this.low = seq;
  }

  private grow(): void {
    const length = this.slots.length * 2;
    const slots = new Array<T | undefined>(length).fill(undefined);
    const seqs = new Float64Array(length).fill(-1);
    for (let at = 0; at < this.slots.length; at += 1) {
      const seq = this.seqs[at] as number;
      if (seq < 0) continue;
      slots[seq % length] = this.slots[at];
      seqs[seq % length] = seq;
    }
    this.slots = slots;
    this.seqs = seqs;
  }
}
