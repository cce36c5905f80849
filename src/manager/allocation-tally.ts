// The allocation counter and duration histogram, counted in plain numbers on the allocation path and added to the
// prom-client metrics when they are read (a scrape). prom-client's inc() and observe() hash their labels, validate
// them and build two objects and a closure on every call: about a microsecond and 300 bytes of garbage an allocation,
// at thousands of allocations a second. The series, their values and the exposition are the same
// (test/unit/allocation-tally.test.ts compares with prom-client's own inc() and observe()).
import type { Counter, Histogram } from 'prom-client';

export type AllocationResultLabel = 'server' | 'reused' | 'backup' | 'none';

/** What prom-client 15 keeps per label set of a histogram; only the unlabelled series ('' key) is touched here. */
interface HistogramEntry {
  bucketValues: Record<string, number>;
  sum: number;
  count: number;
}

export class AllocationTally {
  private readonly counts: Record<AllocationResultLabel, number> = { server: 0, reused: 0, backup: 0, none: 0 };
  /** Results counted since the last flush, first seen first: a series new to the counter takes its place in that order. */
  private readonly seen: AllocationResultLabel[] = [];
  /** Observations per bucket of `bounds` (an observation above the last bound is in count and sum only, as prom-client does). */
  private readonly buckets: number[];
  private sum = 0;
  private count = 0;

  constructor(
    private readonly counter: Counter<'result'>,
    private readonly histogram: Histogram,
    private readonly bounds: readonly number[],
  ) {
    this.buckets = bounds.map(() => 0);
  }

  /** One allocation answered with `result` after `seconds` inside the manager. */
  record(result: AllocationResultLabel, seconds: number): void {
    if (this.counts[result]++ === 0) this.seen.push(result);
    this.count += 1;
    this.sum += seconds;
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (seconds <= (bounds[i] as number)) {
        (this.buckets[i] as number) += 1;
        return;
      }
    }
  }

  /** Adds the counts since the last call to the counter (its collect hook calls this). */
  flushCounter(): void {
    for (const result of this.seen) {
      this.counter.inc({ result }, this.counts[result]);
      this.counts[result] = 0;
    }
    this.seen.length = 0;
  }

  /** Adds the observations since the last call to the histogram (its collect hook calls this). */
  flushHistogram(): void {
    if (this.count === 0) return;
    const internal = this.histogram as unknown as { hashMap: Record<string, HistogramEntry | undefined> };
    // zero() is prom-client's own way to create the series, as a first observe() would.
    if (internal.hashMap[''] === undefined) this.histogram.zero({});
    const entry = internal.hashMap[''] as HistogramEntry;
    for (let i = 0; i < this.bounds.length; i++) {
      entry.bucketValues[String(this.bounds[i])] = (entry.bucketValues[String(this.bounds[i])] ?? 0) + (this.buckets[i] as number);
      this.buckets[i] = 0;
    }
    entry.sum += this.sum;
    entry.count += this.count;
    this.sum = 0;
    this.count = 0;
  }

  /**
   * Makes a reset of either metric (registry.resetMetrics()) forget what was counted and not yet read, as it forgets
   * the rest.
   */
  followResets(): void {
    const counterReset = this.counter.reset.bind(this.counter);
    this.counter.reset = () => {
      for (const result of this.seen) this.counts[result] = 0;
      this.seen.length = 0;
      counterReset();
    };
    const histogramReset = this.histogram.reset.bind(this.histogram);
    this.histogram.reset = () => {
      this.buckets.fill(0);
      this.sum = 0;
      this.count = 0;
      histogramReset();
    };
  }
}
