// Injected faults and per-action counters, driven by the admin API.
import { invalidParameter } from './errors.js';

export interface RunTaskFailureFault {
  reason: string;
  /** Number of tasks (not calls) that still fail. */
  remaining: number;
}

export interface FaultSettings {
  throttling?: boolean;
  /** Share of API calls answered with a 500 (ECS ServerException, EC2 InternalError). */
  errorRate?: number;
  runTaskFailures?: RunTaskFailureFault | null;
}

export interface CallCounters {
  calls: Record<string, number>;
  throttled: Record<string, number>;
  errors: Record<string, number>;
}

export class Faults {
  errorRate = 0;
  runTaskFailures: RunTaskFailureFault | null = null;
  private counters: CallCounters = { calls: {}, throttled: {}, errors: {} };

  constructor(private readonly random: () => number = Math.random) {}

  /** Validates and applies a partial update; the throttling switch is the caller's (it owns the Throttler). */
  apply(settings: FaultSettings): void {
    if (settings.errorRate !== undefined) {
      const rate = settings.errorRate;
      if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) throw invalidParameter('errorRate must be within 0..1');
      this.errorRate = rate;
    }
    if (settings.runTaskFailures !== undefined) {
      const f = settings.runTaskFailures;
      if (f !== null && (typeof f.reason !== 'string' || !Number.isInteger(f.remaining) || f.remaining < 0)) {
        throw invalidParameter('runTaskFailures must be {reason: string, remaining: non-negative integer}');
      }
      this.runTaskFailures = f === null ? null : { reason: f.reason, remaining: f.remaining };
    }
  }

  /** True when this call should fail with an injected server error. */
  injectServerError(): boolean {
    return this.errorRate > 0 && this.random() < this.errorRate;
  }

  /** Consumes one injected RunTask failure, returning its reason, or undefined when none is armed. */
  takeRunTaskFailure(): string | undefined {
    const f = this.runTaskFailures;
    if (!f || f.remaining <= 0) return undefined;
    f.remaining -= 1;
    return f.reason;
  }

  count(kind: keyof CallCounters, action: string): void {
    const table = this.counters[kind];
    table[action] = (table[action] ?? 0) + 1;
  }

  snapshot(): CallCounters {
    return structuredClone(this.counters);
  }

  resetCounters(): void {
    this.counters = { calls: {}, throttled: {}, errors: {} };
  }
}
