import { describe, expect, it } from 'vitest';
import { decideScale } from '../../src/manager/policy.js';
import { StartFailureBackoff } from '../../src/manager/start-failure-backoff.js';
import { makePolicyConfig, makeSnapshot } from '../support/factories.js';

describe('StartFailureBackoff', () => {
  it.each([
    { name: 'no jitter drawn (0)', random: 0, want: [1000, 2000, 4000, 8000] },
    { name: 'full jitter drawn (→1)', random: 0.999999, want: [2000, 4000, 8000, 16000] },
  ])('doubles with each failure in a row: $name', ({ random, want }) => {
    const b = new StartFailureBackoff({ baseMs: 2000, maxMs: 60_000, random: () => random });
    const got = want.map((_, i) => b.recordStartFailure(i * 100_000) );
    expect(got).toEqual(want);
    expect(b.blockedUntil()).toBe(3 * 100_000 + want[3]!);
  });

  it('is capped, and a healthy start resets it', () => {
    const b = new StartFailureBackoff({ baseMs: 1000, maxMs: 5000, random: () => 0.5 });
    for (let i = 0; i < 10; i++) b.recordStartFailure(0);
    expect(b.blockedUntil()).toBe(3750);
    expect(b.recordHealthyStart()).toBe(true);
    expect(b.blockedUntil()).toBeUndefined();
    expect(b.recordStartFailure(0)).toBe(750);
    expect(new StartFailureBackoff().recordHealthyStart()).toBe(false);
  });

  it('refuses impossible options', () => {
    expect(() => new StartFailureBackoff({ baseMs: 0 })).toThrow(RangeError);
    expect(() => new StartFailureBackoff({ baseMs: 10, maxMs: 5 })).toThrow(RangeError);
  });
});

describe('the policy under a launch back-off', () => {
  it.each([
    { name: 'while backing off: launch reported with count 0', until: 5_000, want: { count: 0, clampedBy: 'backoff' } },
    { name: 'once it has passed: launch goes ahead', until: 500, want: { count: 1 } },
  ])('$name', ({ until, want }) => {
    const decisions = decideScale(makeSnapshot({ servers: [], launchBackoffUntil: until }), makePolicyConfig({ minServers: 1 }), 1_000);
    expect(decisions.find((d) => d.kind === 'launch')).toMatchObject(want);
  });
});
