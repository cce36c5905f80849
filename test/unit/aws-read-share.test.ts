import { describe, expect, it } from 'vitest';
import { readShareRate, SERVICE_LIMITS } from '../../src/aws/rate-limits.js';
import { parseConfig } from '../../src/config/config.js';

describe('ECS_READ_SHARE', () => {
  it.each([
    { name: 'default quarter of the account bucket', percent: undefined, want: { burst: 25, perSecond: 5 } },
    { name: 'ten percent', percent: 10, want: { burst: 10, perSecond: 2 } },
    { name: 'capped at the headroom under the service limit', percent: 100, want: { burst: 90, perSecond: 18 } },
    { name: 'never an empty bucket', percent: 0.5, want: { burst: 1, perSecond: 0.1 } },
  ])('$name', ({ percent, want }) => {
    const got = readShareRate(percent);
    expect(got.burst).toBe(want.burst);
    expect(got.perSecond).toBeCloseTo(want.perSecond);
    expect(got.perSecond).toBeLessThan(SERVICE_LIMITS.read.perSecond);
  });

  it.each([
    { env: {}, want: 25 },
    { env: { ECS_READ_SHARE: '10' }, want: 10 },
  ])('is read from the environment ($want)', ({ env, want }) => {
    const config = parseConfig({ GAMESERVER_TASK_DEFINITION: 'td', ECS_SUBNETS: 'subnet-1', ...env });
    expect(config.ecs?.readSharePercent).toBe(want);
  });

  it.each(['0', '91', 'lots'])('refuses ECS_READ_SHARE=%s naming the variable', (value) => {
    expect(() => parseConfig({ GAMESERVER_TASK_DEFINITION: 'td', ECS_SUBNETS: 'subnet-1', ECS_READ_SHARE: value })).toThrow(/ECS_READ_SHARE/);
  });
});
