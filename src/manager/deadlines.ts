// One timer for every poll in flight instead of one `AbortSignal.timeout` each: that builds a timer per
// poll and, when it fires (also long after the poll finished), a TimeoutError with a stack. At 10,000
// servers every two seconds that was thousands of errors a second built for nothing.

interface Entry {
  controller: AbortController;
  deadline: number;
}

export class Deadlines {
  private readonly live = new Set<Entry>();
  private timer: NodeJS.Timeout | null = null;
  private readonly sweepMs: number;

  /** @param timeoutMs how long a task may run; it is aborted between timeoutMs and timeoutMs + a sweep (≤ 1/8 of it, ≥ 10 ms). */
  constructor(private readonly timeoutMs: number) {
    if (!(timeoutMs > 0)) throw new RangeError('Deadlines: timeoutMs must be positive');
    this.sweepMs = Math.max(10, Math.min(250, Math.floor(timeoutMs / 8)));
  }

  /** Runs `task` with a signal that aborts once the deadline passed; the signal is dropped when the task settles. */
  async run<T>(task: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const entry: Entry = { controller: new AbortController(), deadline: performance.now() + this.timeoutMs };
    this.live.add(entry);
    this.timer ??= setInterval(() => this.sweep(), this.sweepMs).unref();
    try {
      return await task(entry.controller.signal);
    } finally {
      this.live.delete(entry);
      if (this.live.size === 0) this.stop();
    }
  }

  /** Aborts what is in flight (close()). */
  abortAll(): void {
    for (const e of this.live) e.controller.abort(timeoutError());
    this.live.clear();
    this.stop();
  }

  private sweep(): void {
    const now = performance.now();
    // Entries are added in deadline order (one timeout for all), so the first one not due ends the sweep.
    for (const e of this.live) {
      if (e.deadline > now) break;
      this.live.delete(e);
      e.controller.abort(timeoutError());
    }
    if (this.live.size === 0) this.stop();
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

function timeoutError(): Error {
  return Object.assign(new Error('deadline passed'), { name: 'TimeoutError' });
}
