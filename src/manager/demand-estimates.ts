// Online estimates for demand-aware headroom (SCALING_MODE=demand): the allocation arrival rate (an EWMA over
// every allocation, backup hand-outs and waits included) and the launch latency (launch → in rotation, p90 of the
// last launches). Their product is the seats that arrive while one launch is under way. Pure arithmetic on the
// times it is given, so the benchmark replays it in virtual time.

export interface DemandEstimatesOptions {
  /** Time constant of the rate's EWMA. Default 30 s. */
  rateTauMs?: number;
  /** Launches the latency percentile is taken over. Default 20. */
  latencyWindow?: number;
  /** Latency assumed before any launch was measured. Default 0 (no in-flight term until measured). */
  initialLatencyMs?: number;
}

export class DemandEstimates {
  private readonly tauMs: number;
  private readonly window: number;
  private readonly initialLatencyMs: number;
  /** Allocations per second, decayed to `lastAt`. */
  private ratePerSec = 0;
  private lastAt: number | null = null;
  private readonly latencies: number[] = [];

  constructor(options: DemandEstimatesOptions = {}) {
    this.tauMs = options.rateTauMs ?? 30_000;
    this.window = options.latencyWindow ?? 20;
    this.initialLatencyMs = options.initialLatencyMs ?? 0;
    if (!(this.tauMs > 0)) throw new RangeError(`rateTauMs must be > 0, got ${this.tauMs}`);
    if (!Number.isInteger(this.window) || this.window < 1) throw new RangeError(`latencyWindow must be a whole number ≥ 1, got ${this.window}`);
  }

  /** One allocation request arrived at `now`. */
  arrival(now: number, count = 1): void {
    this.decayTo(now);
    // Each arrival adds 1/τ to the rate: a steady λ per second converges to λ.
    this.ratePerSec += (count * 1000) / this.tauMs;
  }

  /** A launched server entered rotation `latencyMs` after its launch. */
  launched(latencyMs: number): void {
    if (!Number.isFinite(latencyMs) || latencyMs < 0) return;
    this.latencies.push(latencyMs);
    if (this.latencies.length > this.window) this.latencies.shift();
  }

  rate(now: number): number {
    this.decayTo(now);
    return this.ratePerSec;
  }

  /** p90 of the recent launch latencies, in ms. */
  latencyMs(): number {
    if (this.latencies.length === 0) return this.initialLatencyMs;
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil(0.9 * sorted.length) - 1)] as number;
  }

  /** Seats expected to be asked for while a launch is under way: rate × latency. */
  inFlight(now: number): number {
    return this.rate(now) * (this.latencyMs() / 1000);
  }

  private decayTo(now: number): void {
    if (this.lastAt !== null && now > this.lastAt) this.ratePerSec *= Math.exp(-(now - this.lastAt) / this.tauMs);
    if (this.lastAt === null || now > this.lastAt) this.lastAt = now;
  }
}
