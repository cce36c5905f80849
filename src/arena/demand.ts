// Tells the manager how many matches are queued (POST /api/demand), so that it launches gameservers before the
// allocations arrive: refreshed every `refreshMs` while the worker runs, alive for three refreshes, cleared on stop.
// Every worker of one arena announces under the same source, so N workers on one queue do not count it N times.
import type { Logger } from '../shared/log.js';
import type { DemandSignal } from '../runner/index.js';

/** The manager refuses more seats than this from one source (MAX_SIGNAL_SEATS). */
const MAX_SEATS = 100_000;

export interface DemandAnnouncerOptions {
  source: string;
  refreshMs: number;
  /** Matches waiting to be played. */
  depth(): Promise<number>;
  announce(signal: DemandSignal, options: { signal: AbortSignal }): Promise<void>;
  logger: Logger;
}

export class DemandAnnouncer {
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private stopped = false;
  private lastProblem: string | null = null;
  private readonly abort = new AbortController();
  /** The last seat count the manager accepted (for tests and the live view). */
  lastSeats: number | null = null;

  constructor(private readonly o: DemandAnnouncerOptions) {
    if (!(o.refreshMs >= 100)) throw new RangeError('refreshMs must be at least 100');
    if (!/^[A-Za-z0-9_.:@-]{1,64}$/.test(o.source)) throw new RangeError(`demand source ${o.source} must be 1 to 64 letters, digits or _ . : @ -`);
  }

  start(): void {
    if (this.stopped || this.timer || this.inFlight) return;
    this.tick();
  }

  /** Stops refreshing and clears the signal (seats 0); bounded by the client's request timeout. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.abort.abort();
    await this.inFlight?.catch(() => undefined);
    await this.send(0, AbortSignal.timeout(5000));
  }

  // re-arms after each round, so that a slow manager never sees two refreshes of ours at once
  private tick(): void {
    this.inFlight = (async () => {
      let seats: number;
      try {
        seats = Math.min(MAX_SEATS, Math.max(0, await this.o.depth()));
      } catch (err) {
        this.problem(`queue depth unreadable: ${(err as Error).message}`);
        return;
      }
      if (!this.stopped) await this.send(seats, this.abort.signal);
    })().finally(() => {
      this.inFlight = null;
      if (!this.stopped) this.timer = setTimeout(() => this.tick(), this.o.refreshMs);
    });
  }

  private async send(seats: number, signal: AbortSignal): Promise<void> {
    const ttl = Math.max(1, Math.ceil((this.o.refreshMs * 3) / 1000));
    try {
      await this.o.announce({ source: this.o.source, seats, ttl }, { signal });
      this.lastSeats = seats;
      if (this.lastProblem !== null) this.o.logger.info('demand signal accepted again', { source: this.o.source, seats });
      this.lastProblem = null;
    } catch (err) {
      if (!signal.aborted) this.problem((err as Error).message);
    }
  }

  /** One warning per distinct problem, not one per refresh. */
  private problem(message: string): void {
    if (message === this.lastProblem) return;
    this.lastProblem = message;
    this.o.logger.warn('demand signal not sent', { source: this.o.source, error: message });
  }
}
