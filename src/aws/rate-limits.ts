// One token bucket per ECS throttling category (§4) plus one for EC2, and the single place where an
// AWS call takes its token and has its error classified.
import type { Clock } from '../shared/clock.js';
import { wrapAwsError } from './errors.js';
import { TokenBucket, type Sleep } from './token-bucket.js';

export type RateCategory = 'modify' | 'read' | 'tag' | 'ec2';

export interface RateSpec {
  burst: number;
  perSecond: number;
}

/** ECS API reference, "Request throttling"; EC2's non-mutating defaults are of the same order. */
export const SERVICE_LIMITS: Record<RateCategory, RateSpec> = {
  modify: { burst: 100, perSecond: 40 },
  read: { burst: 100, perSecond: 20 },
  tag: { burst: 20, perSecond: 10 },
  ec2: { burst: 100, perSecond: 20 },
};

/**
 * Share of each service bucket we allow ourselves. A client bucket exactly at the service's rate is
 * throttled now and then: network jitter bunches requests up on arrival, and the service's buckets
 * are shared with every other caller in the account and region.
 */
export const RATE_HEADROOM = 0.9;

export const DEFAULT_RATES: Record<RateCategory, RateSpec> = Object.fromEntries(
  Object.entries(SERVICE_LIMITS).map(([category, spec]) => [
    category,
    { burst: Math.floor(spec.burst * RATE_HEADROOM), perSecond: spec.perSecond * RATE_HEADROOM },
  ]),
) as Record<RateCategory, RateSpec>;

/** The read bucket for a manager that may take `percent` of the account's (ECS_READ_SHARE, default 25). */
export function readShareRate(percent = 25): RateSpec {
  const share = Math.min(percent, RATE_HEADROOM * 100) / 100;
  return { burst: Math.max(1, Math.floor(SERVICE_LIMITS.read.burst * share)), perSecond: SERVICE_LIMITS.read.perSecond * share };
}

export interface RateLimitOptions {
  clock: Clock;
  rates?: Partial<Record<RateCategory, RateSpec>>;
  maxWaitMs?: number;
  sleep?: Sleep;
}

export class RateLimits {
  private readonly buckets: Record<RateCategory, TokenBucket>;

  constructor(options: RateLimitOptions) {
    const make = (category: RateCategory): TokenBucket => {
      const spec = options.rates?.[category] ?? DEFAULT_RATES[category];
      return new TokenBucket({
        name: category,
        capacity: spec.burst,
        refillPerSecond: spec.perSecond,
        clock: options.clock,
        maxWaitMs: options.maxWaitMs,
        sleep: options.sleep,
      });
    };
    this.buckets = { modify: make('modify'), read: make('read'), tag: make('tag'), ec2: make('ec2') };
  }

  /** Waits for a token of `category`, runs `fn`, and turns any failure into an AwsCallError. */
  async call<T>(category: RateCategory, operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      await this.buckets[category].take();
      return await fn();
    } catch (err) {
      throw wrapAwsError(operation, err);
    }
  }

  close(): void {
    for (const bucket of Object.values(this.buckets)) bucket.close();
  }
}
