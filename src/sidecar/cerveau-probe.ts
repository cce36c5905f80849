// Asks Cerveau's web API, on a timer, whether it still answers: a killed or hung Cerveau must not be reported as free
// capacity (§3.1), or the manager keeps sending players to a server whose every /setup fails.
import type { Logger } from '../shared/log.js';

export interface CerveauProbeOptions {
  cerveauUrl: string;
  intervalMs: number;
  timeoutMs: number;
  logger: Logger;
}

/** Any HTTP answer proves Cerveau's web server is up and its event loop turning; only silence or a 5xx does not. */
const PROBE_PATH = '/status/arbiter-probe/arbiter-probe';

export class CerveauProbe {
  private answering = false;
  private reason = 'Cerveau has not answered yet';
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly aborter = new AbortController();
  private inFlight: Promise<void> | null = null;

  constructor(private readonly options: CerveauProbeOptions) {}

  /** True once Cerveau answered its last probe. */
  get up(): boolean {
    return this.answering;
  }

  /** Why Cerveau counts as down; meaningful only while `up` is false. */
  get problem(): string {
    return this.reason;
  }

  /** Probes once now, then on the interval (re-armed after each probe, never overlapping). */
  async start(): Promise<void> {
    await this.probeOnce();
    this.schedule();
  }

  async probeOnce(): Promise<void> {
    const url = new URL(PROBE_PATH, this.options.cerveauUrl);
    let problem: string | null = null;
    try {
      const signal = AbortSignal.any([this.aborter.signal, AbortSignal.timeout(this.options.timeoutMs)]);
      const res = await fetch(url, { signal });
      await res.body?.cancel();
      if (res.status >= 500) problem = `Cerveau answered HTTP ${res.status}`;
    } catch (err) {
      const e = err as Error;
      problem = e.name === 'TimeoutError' ? `Cerveau did not answer within ${this.options.timeoutMs} ms` : `Cerveau is unreachable: ${e.message}`;
    }
    if (this.closed) return;
    if (problem === null && !this.answering) this.options.logger.info('cerveau answering', {});
    if (problem !== null && (this.answering || problem !== this.reason)) this.options.logger.warn('cerveau not answering', { problem });
    this.answering = problem === null;
    if (problem !== null) this.reason = problem;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.aborter.abort();
    await this.inFlight?.catch(() => undefined);
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.inFlight = this.probeOnce().finally(() => {
        this.inFlight = null;
        this.schedule();
      });
    }, this.options.intervalMs);
  }
}
