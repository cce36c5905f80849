// A client-side token bucket: ECS throttles each API category with a bucket per account and region
// (§4), so we spend our own tokens first instead of learning the limit from ThrottlingException.
import { setMaxListeners } from 'node:events';
import type { Clock } from '../shared/clock.js';

export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export interface TokenBucketOptions {
  /** Name used in error messages, e.g. `ecs-modify`. */
  name: string;
  /** Tokens the bucket holds when full (the burst). */
  capacity: number;
  /** Tokens added per second. */
  refillPerSecond: number;
  clock: Clock;
  /** Longest a caller waits for a token before giving up. */
  maxWaitMs?: number;
  /** Waits that `close()` can interrupt; replaced by tests that drive a fake clock. */
  sleep?: Sleep;
}

/** A caller waited longer than `maxWaitMs`, or the bucket was closed while it waited. */
export class RateLimitWaitError extends Error {
  constructor(
    message: string,
    readonly bucket: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RateLimitWaitError';
  }
}

export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });

export class TokenBucket {
  readonly name: string;
  private readonly capacity: number;
  private readonly refillPerMs: number;
  private readonly clock: Clock;
  private readonly maxWaitMs: number;
  private readonly sleep: Sleep;
  private readonly closer = new AbortController();
  private tokens: number;
  private refilledAt: number;
  /** Tokens promised to callers already waiting; they are paid first, in order. */
  private owed = 0;

  constructor(options: TokenBucketOptions) {
    if (!(options.capacity >= 1)) throw new RangeError(`TokenBucket ${options.name}: capacity must be ≥ 1 (got ${options.capacity})`);
    if (!(options.refillPerSecond > 0)) {
      throw new RangeError(`TokenBucket ${options.name}: refillPerSecond must be > 0 (got ${options.refillPerSecond})`);
    }
    if (options.maxWaitMs !== undefined && !(options.maxWaitMs >= 0)) {
      throw new RangeError(`TokenBucket ${options.name}: maxWaitMs must be ≥ 0 (got ${options.maxWaitMs})`);
    }
    this.name = options.name;
    this.capacity = options.capacity;
    this.refillPerMs = options.refillPerSecond / 1000;
    this.clock = options.clock;
    this.maxWaitMs = options.maxWaitMs ?? 30_000;
    this.sleep = options.sleep ?? realSleep;
    this.tokens = options.capacity;
    this.refilledAt = options.clock.now();
    // Every waiter listens for close(); a scale-in can queue dozens of them on one bucket.
    setMaxListeners(0, this.closer.signal);
  }

  /** Tokens available right now (fractional while refilling). */
  available(): number {
    this.refill();
    return this.tokens - this.owed;
  }

  /** Takes a token without waiting; false when none is available. */
  tryTake(): boolean {
    if (this.closer.signal.aborted) return false;
    if (this.available() < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /**
   * Takes a token, waiting for the refill when the bucket is empty. Rejects with RateLimitWaitError
   * when the wait would exceed `maxWaitMs`, or when the bucket is closed.
   */
  async take(): Promise<void> {
    if (this.closer.signal.aborted) throw new RateLimitWaitError(`rate limiter ${this.name} is closed`, this.name);
    if (this.tryTake()) return;
    // Reserve a place in line: the deficit of everyone ahead, plus our own token.
    const deficit = this.owed + 1 - this.tokens;
    const waitMs = Math.ceil(deficit / this.refillPerMs);
    if (waitMs > this.maxWaitMs) {
      throw new RateLimitWaitError(`rate limiter ${this.name}: wait of ${waitMs} ms exceeds ${this.maxWaitMs} ms`, this.name);
    }
    this.owed += 1;
    try {
      await this.sleep(waitMs, this.closer.signal);
    } catch (err) {
      this.owed -= 1;
      throw new RateLimitWaitError(`rate limiter ${this.name} was closed while waiting`, this.name, { cause: err });
    }
    this.refill();
    this.owed -= 1;
    // The refill paid for this token while we slept; it may go slightly negative under clock jitter.
    this.tokens -= 1;
  }

  /** Rejects every waiting caller and refuses new ones. */
  close(): void {
    if (!this.closer.signal.aborted) this.closer.abort(new Error(`rate limiter ${this.name} closed`));
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.refilledAt);
    this.refilledAt = now;
    // Tokens promised to waiters accumulate beyond the burst, or a waiter woken late would lose its own.
    this.tokens = Math.min(this.capacity + this.owed, this.tokens + elapsed * this.refillPerMs);
  }
}
