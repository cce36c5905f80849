// Token buckets per call category, with the burst and refill rates of the ECS API reference ("Request throttling").

export type ThrottleCategory = 'modify' | 'read' | 'tag' | 'fargate-launch' | 'ec2';

export const BUCKET_LIMITS: Record<ThrottleCategory, { burst: number; perSecond: number }> = {
  modify: { burst: 100, perSecond: 40 },
  read: { burst: 100, perSecond: 20 },
  tag: { burst: 20, perSecond: 10 },
  // Fargate task launches: burst 100, sustained 20 per second.
  'fargate-launch': { burst: 100, perSecond: 20 },
  ec2: { burst: 100, perSecond: 20 },
};

const MODIFY_ACTIONS = new Set([
  'RunTask',
  'StartTask',
  'StopTask',
  'RegisterTaskDefinition',
  'CreateCluster',
  'RegisterContainerInstance',
  'DeregisterContainerInstance',
  'UpdateContainerInstancesState',
]);

export function ecsCategory(action: string): ThrottleCategory {
  if (action === 'TagResource' || action === 'UntagResource') return 'tag';
  if (MODIFY_ACTIONS.has(action)) return 'modify';
  return 'read';
}

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    readonly burst: number,
    readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.updatedAt = now();
  }

  /** Takes `n` tokens if there are that many; false (and nothing taken) otherwise. */
  tryTake(n = 1): boolean {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.perSecond);
    this.updatedAt = now;
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }
}

export class Throttler {
  private buckets = new Map<ThrottleCategory, TokenBucket>();
  enabled: boolean;

  constructor(enabled: boolean, private readonly now?: () => number) {
    this.enabled = enabled;
    this.refill();
  }

  /** Full buckets again, e.g. after a test changed the switch. */
  refill(): void {
    this.buckets = new Map(
      Object.entries(BUCKET_LIMITS).map(([category, limit]) => [
        category as ThrottleCategory,
        new TokenBucket(limit.burst, limit.perSecond, this.now),
      ]),
    );
  }

  allow(category: ThrottleCategory, n = 1): boolean {
    if (!this.enabled) return true;
    return this.buckets.get(category)?.tryTake(n) ?? true;
  }
}
