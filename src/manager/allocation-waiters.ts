// Allocations that wait (`?wait=SECONDS`): with no room, a request joins a first-come-first-served queue and is
// answered as soon as a seat frees or a server enters rotation, or gets today's answer when its wait runs out.
// A caller that goes away leaves the queue. Built on the allocator's interface (a function that either reserves
// a seat or says there is none), so it does not care how the allocator finds one. The queue is bounded.
import type { AllocationResult } from './allocator.js';

export type TryAllocate = (sessionId: string | undefined) => AllocationResult;
type Served = Extract<AllocationResult, { kind: 'server' }>;

interface Waiter {
  sessionId: string | undefined;
  enqueuedAt: number;
  resolve: (served: Served | null) => void;
  cleanup: () => void;
}

export interface AllocationWaitersOptions {
  tryAllocate: TryAllocate;
  now: () => number;
  /** Most requests that may wait at once; more get today's answer at once. Default 10 000. */
  maxWaiters?: number;
  /** Told how long each waiter waited and whether it got a server. */
  onDone?: (waitedMs: number, served: boolean) => void;
}

export class AllocationWaiters {
  private readonly queue: Waiter[] = [];
  private readonly maxWaiters: number;
  private closed = false;

  constructor(private readonly options: AllocationWaitersOptions) {
    this.maxWaiters = options.maxWaiters ?? 10_000;
  }

  size(): number {
    return this.queue.length;
  }

  /**
   * A server for this request, waiting up to `waitMs` behind earlier waiters; null when the wait ran out, the
   * signal aborted, the queue is full or closed. Reserves synchronously when a seat is free and nobody is ahead.
   */
  wait(sessionId: string | undefined, waitMs: number, signal?: AbortSignal): Promise<Served | null> {
    if (this.queue.length === 0) {
      const now = this.options.tryAllocate(sessionId);
      if (now.kind === 'server') return Promise.resolve(now);
    }
    if (this.closed || waitMs <= 0 || signal?.aborted || this.queue.length >= this.maxWaiters) return Promise.resolve(null);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        sessionId,
        enqueuedAt: this.options.now(),
        resolve: (served) => {
          waiter.cleanup();
          this.options.onDone?.(this.options.now() - waiter.enqueuedAt, served !== null);
          resolve(served);
        },
        cleanup: () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
        },
      };
      const leave = (): void => {
        const i = this.queue.indexOf(waiter);
        if (i < 0) return;
        this.queue.splice(i, 1);
        waiter.resolve(null);
      };
      const onAbort = (): void => leave();
      const timer = setTimeout(leave, waitMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
    });
  }

  /** Hands free seats to waiters in arrival order; stops at the first that finds none. Call when capacity may have grown. */
  serve(): number {
    let served = 0;
    while (this.queue.length > 0) {
      const head = this.queue[0] as Waiter;
      const result = this.options.tryAllocate(head.sessionId);
      if (result.kind !== 'server') break;
      this.queue.shift();
      head.resolve(result);
      served += 1;
    }
    return served;
  }

  /** Answers every waiter with null (they fall back to today's answer) and refuses new ones. */
  close(): void {
    this.closed = true;
    for (const w of this.queue.splice(0)) w.resolve(null);
  }
}
