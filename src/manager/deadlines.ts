// One timer for every poll in flight instead of one `AbortSignal.timeout` each: that builds a timer per
// poll and, when it fires (also long after the poll finished), a TimeoutError with a stack. At 10,000
// servers every two seconds that was thousands of errors a second built for nothing. Tasks whose deadlines
// fall in the same sweep share one AbortController: a round starts dozens of polls within milliseconds, and a
// controller and its signal each were most of what a poll left for the garbage collector.
import { setMaxListeners } from 'node:events';

interface Entry {
  controller: AbortController;
  deadline: number;
  /** Tasks running under this controller. */
  tasks: number;
}

export class Deadlines {
  private readonly live = new Set<Entry>();
  /** The entry the next task joins when its deadline falls in the same sweep. */
  private newest: Entry | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly sweepMs: number;

  /**
   * @param timeoutMs how long a task may run; it is aborted between timeoutMs and timeoutMs + two sweeps (a sweep is
   *   ≤ 1/8 of it, ≥ 10 ms): its deadline is rounded up to the next sweep so that neighbours share a controller.
   */
  constructor(private readonly timeoutMs: number) {
    if (!(timeoutMs > 0)) throw new RangeError('Deadlines: timeoutMs must be positive');
    this.sweepMs = Math.max(10, Math.min(250, Math.floor(timeoutMs / 8)));
  }

  /** Runs `task` with a signal that aborts once the deadline passed; the signal is dropped when the task settles. */
  async run<T>(task: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const deadline = Math.ceil((performance.now() + this.timeoutMs) / this.sweepMs) * this.sweepMs;
    let entry = this.newest;
    if (entry === null || entry.deadline !== deadline) {
      entry = { controller: new AbortController(), deadline, tasks: 0 };
      // Every request of the sweep listens to the one signal.
      setMaxListeners(0, entry.controller.signal);
      this.live.add(entry);
      this.newest = entry;
    }
    entry.tasks += 1;
    this.timer ??= setInterval(() => this.sweep(), this.sweepMs).unref();
    try {
      return await task(entry.controller.signal);
    } finally {
      entry.tasks -= 1;
      if (entry.tasks === 0) this.drop(entry);
    }
  }

  /** Aborts what is in flight (close()). */
  abortAll(): void {
    for (const e of this.live) e.controller.abort(timeoutError());
    this.live.clear();
    this.newest = null;
    this.stop();
  }

  private drop(entry: Entry): void {
    this.live.delete(entry);
    if (this.newest === entry) this.newest = null;
    if (this.live.size === 0) this.stop();
  }

  private sweep(): void {
    const now = performance.now();
    // Entries are added in deadline order (one timeout for all), so the first one not due ends the sweep.
    for (const e of this.live) {
      if (e.deadline > now) break;
      this.drop(e);
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
