// Online estimates for demand-aware headroom (SCALING_MODE=demand): the allocation arrival rate (an EWMA over
// every allocation, backup hand-outs and waits included) and the launch latency (launch → in rotation, p90 of the
// last launches). Their product is the seats that arrive while one launch is under way. Arrivals that never turn into
// sessions (a client polling /available-server/ without joining) hold a seat only for JOIN_GRACE, which the live
// reservations already count, so the rate is weighed by the share of recent reservations that were joined. Pure
// arithmetic on the times it is given, so the benchmark replays it in virtual time.

export interface DemandEstimatesOptions {
  /** Time constant of the rate's EWMA. Default 30 s. */
  rateTauMs?: number;
  /** Launches the latency percentile is taken over. Default 20. */
  latencyWindow?: number;
  /** Latency assumed before any launch was measured. Default 0 (no in-flight term until measured). */
  initialLatencyMs?: number;
  /** Reservations whose outcome (joined or not) the join share is an EWMA over. Default 50. */
  joinWindow?: number;
}

export class DemandEstimates {
  private readonly tauMs: number;
  private readonly window: number;
  private readonly initialLatencyMs: number;
  /** Allocations per second, decayed to `lastAt`. */
  private ratePerSec = 0;
  private lastAt: number | null = null;
  private readonly latencies: number[] = [];
  private readonly joinDecay: number;
  /**
   * Recent reservations that became sessions and that did not, exponentially weighted. Until one is known the share
   * is 0: a manager that has seen no one join (a client polling without joining from the start, every request sent
   * to the backup) must not hold rate × latency seats for it.
   */
  private joinedWeight = 0;
  private lapsedWeight = 0;

  constructor(options: DemandEstimatesOptions = {}) {
    this.tauMs = options.rateTauMs ?? 30_000;
    this.window = options.latencyWindow ?? 20;
    this.initialLatencyMs = options.initialLatencyMs ?? 0;
    const joinWindow = options.joinWindow ?? 50;
    if (!Number.isInteger(joinWindow) || joinWindow < 1) throw new RangeError(`joinWindow must be a whole number ≥ 1, got ${joinWindow}`);
    this.joinDecay = 1 - 1 / joinWindow;
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

  /** A reservation's outcome: its session showed in a report (joined), or it reached its TTL without. */
  reservationOutcome(joined: boolean): void {
    this.joinedWeight = this.joinedWeight * this.joinDecay + (joined ? 1 : 0);
    this.lapsedWeight = this.lapsedWeight * this.joinDecay + (joined ? 0 : 1);
  }

  /** Share of recent reservations that were joined; 0 before any outcome is known. */
  joinShare(): number {
    const total = this.joinedWeight + this.lapsedWeight;
    return total > 0 ? this.joinedWeight / total : 0;
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

  /** Seats expected to be taken (and kept) while a launch is under way: rate × join share × latency. */
  inFlight(now: number): number {
    return this.rate(now) * this.joinShare() * (this.latencyMs() / 1000);
  }

  private decayTo(now: number): void {
    if (this.lastAt !== null && now > this.lastAt) this.ratePerSec *= Math.exp(-(now - this.lastAt) / this.tauMs);
    if (this.lastAt === null || now > this.lastAt) this.lastAt = now;
  }
}
