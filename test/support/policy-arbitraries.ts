// fast-check arbitraries shared by the policy's property tests.
import fc from 'fast-check';
import type { PolicyConfig } from '../../src/manager/policy.js';
import { makePolicyConfig } from './factories.js';

export interface PolicyConfigRanges {
  /** Largest gap between DOWNSCALE_MARGIN and UPSCALE_MARGIN + GAMESERVER_CAPACITY. */
  maxGap: number;
  minServers: { max: number };
  maxServers: { min: number; max: number };
  startTimeoutMs: readonly number[];
  scaleInDelayMs: readonly number[];
}

/**
 * Policy configs that pass the config's anti-flapping rule (DOWNSCALE_MARGIN − UPSCALE_MARGIN > GAMESERVER_CAPACITY),
 * within the given ranges.
 */
export function arbPolicyConfig(ranges: PolicyConfigRanges): fc.Arbitrary<PolicyConfig> {
  return fc
    .record({
      upscaleMargin: fc.integer({ min: 0, max: 30 }),
      gap: fc.integer({ min: 1, max: ranges.maxGap }),
      capacity: fc.integer({ min: 1, max: 20 }),
      minServers: fc.integer({ min: 0, max: ranges.minServers.max }),
      maxServers: fc.integer(ranges.maxServers),
      maxLaunchPerTick: fc.integer({ min: 1, max: 10 }),
      startTimeoutMs: fc.constantFrom(...ranges.startTimeoutMs),
      scaleInDelayMs: fc.constantFrom(...ranges.scaleInDelayMs),
    })
    .map(({ gap, ...c }): PolicyConfig => makePolicyConfig({ ...c, downscaleMargin: c.upscaleMargin + c.capacity + gap }));
}

/** The fields every property test draws for a policy server; each test adds its own (state mix, launch times, …). */
export const policyServerFields = {
  effectiveCapacity: fc.integer({ min: 0, max: 15 }),
  restorableCapacity: fc.integer({ min: 0, max: 15 }),
  sessions: fc.integer({ min: 0, max: 10 }),
  reservations: fc.integer({ min: 0, max: 3 }),
  readyToClose: fc.boolean(),
  healthy: fc.boolean(),
  busy: fc.boolean(),
};
