// A self-re-arming timer: the next run is scheduled only after the current one finished, so runs
// never overlap; wake() runs it at once (or right after the current run); close() is idempotent.

export interface LoopOptions {
  name: string;
  /** Does one round of work and returns the delay before the next, in milliseconds. */
  run: () => Promise<number>;
  /** Called when run() throws; returns the delay before trying again. A loop never dies of an error. */
  onError: (err: unknown) => number;
}

export class Loop {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private rerun = false;
  private closed = false;
  private started = false;
  private closing: Promise<void> | null = null;

  constructor(private readonly options: LoopOptions) {}

  get name(): string {
    return this.options.name;
  }

  start(delayMs = 0): void {
    if (this.closed) return;
    this.started = true;
    this.schedule(delayMs);
  }

  /** Runs as soon as possible; a wake during a run makes the loop run once more right after it. */
  wake(): void {
    if (this.closed) return;
    if (this.running) {
      this.rerun = true;
      return;
    }
    this.schedule(0);
  }

  /** Runs one round now and waits for it (for tests that drive the loop by hand). */
  async runOnce(): Promise<void> {
    while (this.running) await this.running;
    this.clearTimer();
    await this.execute();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      this.clearTimer();
      if (this.running) await this.running;
    })();
    return this.closing;
  }

  private schedule(delayMs: number): void {
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.execute();
    }, Math.max(0, delayMs));
    this.timer.unref?.();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private execute(): Promise<void> {
    // start(), wake() and runOnce() can each arm a timer while a run is under way: never run twice at once.
    if (this.running) {
      this.rerun = true;
      return this.running;
    }
    const run = (async () => {
      let delay: number;
      try {
        // Called through an async wrapper: a run() that throws synchronously then still settles after
        // `running` is set below, instead of leaving a finished promise there for good.
        delay = await (async () => this.options.run())();
      } catch (err) {
        delay = this.options.onError(err);
      }
      this.running = null;
      if (this.closed) return;
      if (this.rerun) {
        this.rerun = false;
        this.schedule(0);
      } else if (this.started && !this.timer) {
        this.schedule(delay);
      }
    })();
    this.running = run;
    return run;
  }
}
