// What the dashboard shows over time, kept in memory with fixed bounds: free capacity against the
// margins for the last hour, the latest scaling decisions and operator actions, and allocation
// outcomes over the last five minutes. Times are passed in, so the class needs no clock.

export interface CapacitySample {
  at: number;
  free: number;
  upscaleMargin: number;
  downscaleMargin: number;
}

export interface HistoryEvent {
  at: number;
  /** 'decision' is the scaler's; 'action' is an operator's. */
  source: 'decision' | 'action';
  kind: string;
  serverId: string | null;
  reason: string;
}

export type AllocationOutcome = 'served' | 'backup' | 'refused';

export interface HistorySnapshot {
  samples: CapacitySample[];
  events: HistoryEvent[];
  allocations: { windowSeconds: number } & Record<AllocationOutcome, number>;
}

export interface HistoryOptions {
  /** How far back capacity samples go. */
  spanMs?: number;
  /** At most one capacity sample per this interval (ticks can come every few hundred ms). */
  sampleEveryMs?: number;
  maxEvents?: number;
  /** Allocation counts cover this window, kept as BUCKETS buckets. */
  allocationWindowMs?: number;
}

const BUCKETS = 30;

export class History {
  private readonly spanMs: number;
  private readonly sampleEveryMs: number;
  private readonly maxEvents: number;
  private readonly windowMs: number;
  private readonly samples: CapacitySample[] = [];
  private readonly events: HistoryEvent[] = [];
  /** Ring of per-bucket counts; `bucketIds[i]` says which time bucket slot i holds. */
  private readonly buckets: Array<Record<AllocationOutcome, number>>;
  private readonly bucketIds: number[];

  constructor(options: HistoryOptions = {}) {
    this.spanMs = options.spanMs ?? 3_600_000;
    this.sampleEveryMs = options.sampleEveryMs ?? 5_000;
    this.maxEvents = options.maxEvents ?? 50;
    this.windowMs = options.allocationWindowMs ?? 300_000;
    for (const [name, v] of Object.entries({ spanMs: this.spanMs, sampleEveryMs: this.sampleEveryMs, maxEvents: this.maxEvents, windowMs: this.windowMs })) {
      if (!Number.isInteger(v) || v <= 0) throw new RangeError(`History ${name} must be a positive integer, got ${v}`);
    }
    this.buckets = Array.from({ length: BUCKETS }, () => ({ served: 0, backup: 0, refused: 0 }));
    this.bucketIds = new Array<number>(BUCKETS).fill(-1);
  }

  /** Keeps one sample per interval; the buffer never holds more than span / interval + 1. */
  sample(s: CapacitySample): void {
    const last = this.samples[this.samples.length - 1];
    if (last !== undefined && s.at - last.at < this.sampleEveryMs) return;
    this.samples.push(s);
    const oldest = s.at - this.spanMs;
    const max = Math.floor(this.spanMs / this.sampleEveryMs) + 1;
    while (this.samples.length > max || (this.samples[0] !== undefined && this.samples[0].at < oldest)) this.samples.shift();
  }

  event(e: HistoryEvent): void {
    this.events.push(e);
    if (this.events.length > this.maxEvents) this.events.splice(0, this.events.length - this.maxEvents);
  }

  allocation(outcome: AllocationOutcome, at: number): void {
    const id = Math.floor(at / (this.windowMs / BUCKETS));
    const slot = id % BUCKETS;
    if (this.bucketIds[slot] !== id) {
      this.bucketIds[slot] = id;
      this.buckets[slot] = { served: 0, backup: 0, refused: 0 };
    }
    (this.buckets[slot] as Record<AllocationOutcome, number>)[outcome] += 1;
  }

  snapshot(now: number): HistorySnapshot {
    const current = Math.floor(now / (this.windowMs / BUCKETS));
    const totals = { served: 0, backup: 0, refused: 0 };
    for (let i = 0; i < BUCKETS; i++) {
      const id = this.bucketIds[i] as number;
      if (id < 0 || id > current || id <= current - BUCKETS) continue;
      const b = this.buckets[i] as Record<AllocationOutcome, number>;
      totals.served += b.served;
      totals.backup += b.backup;
      totals.refused += b.refused;
    }
    const oldest = now - this.spanMs;
    return {
      samples: this.samples.filter((s) => s.at >= oldest),
      events: [...this.events].reverse(),
      allocations: { windowSeconds: this.windowMs / 1000, ...totals },
    };
  }
}
