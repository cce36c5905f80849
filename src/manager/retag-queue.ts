// Name tag writes in one background queue. Adopting a fleet whose tasks carry no name tag (one started by an older
// version) names thousands of servers in one observation; a write each at once overran the tag bucket, failed by the
// thousand and logged a line each. Here the latest name per server wins, writes go one at a time (so the backend's
// tag bucket sets the pace), a failed write is tried again later with back-off, a server that is gone is dropped,
// and one summary line tells what was written.
import type { Logger } from '../shared/log.js';
import { exponentialDelay } from '../shared/backoff.js';
import type { ManagerMetrics } from './metrics.js';

export interface RetagQueueDeps {
  /** Writes the name durably (the ECS name tag). */
  write: (id: string, name: string) => Promise<void>;
  /** The name the server carries now, or null when it is gone: a write of an older name is dropped. */
  current: (id: string) => string | null;
  logger: Logger;
  metrics: Pick<ManagerMetrics, 'backendErrors'>;
  /** Back-off of a failed write: doubles from first to max (defaults 1 s and 5 min). */
  retryMs?: { first: number; max: number };
  /** A long drain tells its progress this often (default 60 s). */
  summaryEveryMs?: number;
}

interface Wanted {
  name: string;
  failures: number;
  /** performance.now() before which it is not tried again. */
  notBefore: number;
}

interface Tally {
  written: number;
  failed: number;
  dropped: number;
  lastError: string | null;
}

const emptyTally = (): Tally => ({ written: 0, failed: 0, dropped: 0, lastError: null });

export class RetagQueue {
  private readonly wanted = new Map<string, Wanted>();
  private draining: Promise<void> | null = null;
  private wake: NodeJS.Timeout | null = null;
  private closed = false;
  private tally = emptyTally();
  private lastSummary = performance.now();

  constructor(private readonly deps: RetagQueueDeps) {}

  /** Asks for `name` to be written for `id`; a later name for the same server replaces one not yet written. */
  enqueue(id: string, name: string): void {
    if (this.closed) return;
    this.wanted.delete(id);
    this.wanted.set(id, { name, failures: 0, notBefore: 0 });
    this.kick();
  }

  /** Writes not yet done (waiting or in back-off). */
  get pending(): number {
    return this.wanted.size;
  }

  /** Resolves when nothing is due now (what is left waits for its back-off). */
  idle(): Promise<void> {
    return this.draining ?? Promise.resolve();
  }

  /** Stops: the write in flight finishes, nothing more is written. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.wake) clearTimeout(this.wake);
    this.wake = null;
    await this.draining;
  }

  private kick(): void {
    if (this.draining || this.closed) return;
    if (this.wake) clearTimeout(this.wake);
    this.wake = null;
    this.draining = this.drain().finally(() => {
      this.draining = null;
      this.schedule();
    });
  }

  private async drain(): Promise<void> {
    const { write, current, metrics } = this.deps;
    const retry = this.deps.retryMs ?? { first: 1_000, max: 300_000 };
    for (let next = this.due(); next !== null && !this.closed; next = this.due()) {
      const [id, want] = next;
      this.wanted.delete(id);
      if (current(id) !== want.name) {
        this.tally.dropped += 1;
        continue;
      }
      try {
        await write(id, want.name);
        this.tally.written += 1;
      } catch (err) {
        metrics.backendErrors.inc({ operation: 'rename' });
        this.tally.failed += 1;
        this.tally.lastError = err instanceof Error ? err.message : String(err);
        // Unless a newer name came meanwhile, try this one again later.
        if (!this.wanted.has(id)) this.wanted.set(id, { name: want.name, failures: want.failures + 1, notBefore: performance.now() + exponentialDelay(want.failures, { baseMs: retry.first, maxMs: retry.max }) });
      }
      if (performance.now() - this.lastSummary >= (this.deps.summaryEveryMs ?? 60_000)) this.summarize();
    }
    this.summarize();
  }

  /** The oldest request that is due now. */
  private due(): [string, Wanted] | null {
    const now = performance.now();
    for (const entry of this.wanted) if (entry[1].notBefore <= now) return entry;
    return null;
  }

  /** When only writes in back-off are left: wake at the first of them. */
  private schedule(): void {
    if (this.closed || this.wanted.size === 0) return;
    let first = Number.POSITIVE_INFINITY;
    for (const w of this.wanted.values()) first = Math.min(first, w.notBefore);
    this.wake = setTimeout(() => {
      this.wake = null;
      this.kick();
    }, Math.max(0, first - performance.now()));
    this.wake.unref();
  }

  private summarize(): void {
    const t = this.tally;
    this.lastSummary = performance.now();
    if (t.written === 0 && t.failed === 0 && t.dropped === 0) return;
    const fields = { written: t.written, failed: t.failed, dropped: t.dropped, waiting: this.wanted.size, ...(t.lastError ? { lastError: t.lastError } : {}) };
    if (t.failed > 0) this.deps.logger.warn('name tags written', fields);
    else this.deps.logger.info('name tags written', fields);
    this.tally = emptyTally();
  }
}
