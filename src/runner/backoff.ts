// Bounded exponential back-off: the waits between attempts, never more than `maxMs` each.
import { exponentialDelay } from '../shared/backoff.js';

export interface BackoffOptions {
  attempts: number;
  initialMs: number;
  maxMs: number;
  factor?: number;
}

/** The `attempts − 1` waits that separate `attempts` tries. */
export function backoffDelays(options: BackoffOptions): number[] {
  const { attempts, initialMs, maxMs, factor = 2 } = options;
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError(`attempts must be a whole number ≥ 1, got ${attempts}`);
  if (!(initialMs >= 0) || !(maxMs >= initialMs)) throw new RangeError(`need 0 ≤ initialMs ≤ maxMs, got ${initialMs} and ${maxMs}`);
  if (!(factor >= 1)) throw new RangeError(`factor must be ≥ 1, got ${factor}`);
  const delays: number[] = [];
  // rounded before the cap, so a cap that is not a whole number of milliseconds is kept as it is
  for (let i = 1; i < attempts; i += 1) delays.push(Math.min(maxMs, Math.round(exponentialDelay(i - 1, { baseMs: initialMs, factor }))));
  return delays;
}

/** Resolves after `ms`, or at once when `signal` aborts. The timer never outlives the wait. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
