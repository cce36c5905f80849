// Outside demand (POST /api/demand): "this many seats will be asked for soon", per source, until it expires.
// Several sources add up; a source that stops refreshing drops out after its ttl. Bounded: a hostile or buggy
// caller cannot grow the table or announce more seats than the fleet could ever hold.

export const MAX_SOURCES = 100;
export const MAX_SIGNAL_SEATS = 100_000;
export const MAX_SIGNAL_TTL_SECONDS = 3600;

export interface DemandSignalView {
  source: string;
  seats: number;
  expiresAt: number;
}

export type SetSignalResult = { ok: true; signal: DemandSignalView } | { ok: false; reason: string };

export class DemandSignals {
  private readonly signals = new Map<string, DemandSignalView>();

  /** Sets (or, with seats 0, clears) a source's signal. */
  set(source: string, seats: number, ttlMs: number, now: number): SetSignalResult {
    this.prune(now);
    if (seats === 0) {
      this.signals.delete(source);
      return { ok: true, signal: { source, seats: 0, expiresAt: now } };
    }
    if (!this.signals.has(source) && this.signals.size >= MAX_SOURCES) {
      return { ok: false, reason: `at most ${MAX_SOURCES} demand sources may be live at once` };
    }
    const signal = { source, seats, expiresAt: now + ttlMs };
    this.signals.set(source, signal);
    return { ok: true, signal };
  }

  /** Seats announced by live signals, summed over sources. */
  total(now: number): number {
    this.prune(now);
    let seats = 0;
    for (const s of this.signals.values()) seats += s.seats;
    return seats;
  }

  list(now: number): DemandSignalView[] {
    this.prune(now);
    return [...this.signals.values()].sort((a, b) => a.source.localeCompare(b.source));
  }

  private prune(now: number): void {
    for (const [source, s] of this.signals) if (s.expiresAt <= now) this.signals.delete(source);
  }
}
