// The policy's demand inputs (§9): waiting allocations, outside signals, rate × latency, and SCALE_IN_DELAY.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideScale, demandHeadroom, type Decision, type PolicyConfig, type PolicyDemand, type PolicyServer, type PolicySnapshot } from '../../src/manager/policy.js';
import { makePolicyConfig, makePolicyServer, makeSnapshot } from '../support/factories.js';
import { simulateFleet } from '../support/policy-fleet.js';

const NOW = 1_000_000;
const UP = 'free capacity below upscale margin';
const UP_DEMAND = 'free capacity below upscale margin plus demand';
const DOWN = 'free capacity above downscale margin';
const demand = (more: Partial<PolicyDemand>): PolicyDemand => ({ waiting: 0, signalSeats: 0, inFlight: 0, ...more });
const active = (id: string, effectiveCapacity: number, more: Partial<PolicyServer> = {}) =>
  makePolicyServer({ id, state: 'active', effectiveCapacity, sessions: Math.max(0, 10 - effectiveCapacity), ...more });
const standby = (id: string, restorableCapacity: number) =>
  makePolicyServer({ id, state: 'standby', effectiveCapacity: 0, restorableCapacity });

interface Row {
  name: string;
  servers: PolicyServer[];
  snapshot?: Partial<PolicySnapshot>;
  config?: Partial<PolicyConfig>;
  want: Decision[];
}

const rows: Row[] = [
  {
    name: '35 waiting allocations on a full server launch ⌈(35 + 4) / 10⌉ = 4 servers in one decision',
    servers: [active('a', 0)],
    snapshot: { demand: demand({ waiting: 35 }) },
    want: [{ kind: 'launch', count: 4, reason: UP_DEMAND, free: 0, headroom: 35 }],
  },
  {
    name: 'waiting allocations are clamped by MAX_SERVERS, and the clamp is said',
    servers: [active('a', 0)],
    snapshot: { demand: demand({ waiting: 35 }) },
    config: { maxServers: 3 },
    want: [{ kind: 'launch', count: 2, reason: UP_DEMAND, free: 0, headroom: 35, clampedBy: 'max_servers' }],
  },
  {
    name: 'a pending server covers waiting allocations it has room for',
    servers: [active('a', 0), makePolicyServer({ id: 'p', state: 'pending', effectiveCapacity: 0, launchedAt: NOW - 1000 })],
    snapshot: { demand: demand({ waiting: 6 }) },
    want: [],
  },
  {
    name: 'an outside signal of 20 seats keeps 20 seats above the margin',
    servers: [active('a', 10)],
    snapshot: { demand: demand({ signalSeats: 20 }) },
    want: [{ kind: 'launch', count: 2, reason: UP_DEMAND, free: 10, headroom: 20 }],
  },
  {
    name: 'rate × latency of 12.2 seats rounds up to 13 of headroom',
    servers: [active('a', 10)],
    snapshot: { demand: demand({ inFlight: 12.2 }) },
    want: [{ kind: 'launch', count: 1, reason: UP_DEMAND, free: 10, headroom: 13 }],
  },
  {
    name: 'waiting, signal and in-flight demand add up',
    servers: [],
    snapshot: { demand: demand({ waiting: 5, signalSeats: 10, inFlight: 1 }) },
    want: [{ kind: 'launch', count: 2, reason: UP_DEMAND, free: 0, headroom: 16 }],
  },
  {
    name: 'waiting demand returns a standby server before launching',
    servers: [active('a', 0), standby('b', 10)],
    snapshot: { demand: demand({ waiting: 3 }) },
    want: [{ kind: 'activate', serverId: 'b', reason: UP_DEMAND, free: 10 }],
  },
  {
    name: 'no demand: the seed margins as before',
    servers: [active('a', 0)],
    snapshot: { demand: demand({}) },
    want: [{ kind: 'launch', count: 1, reason: UP, free: 0 }],
  },
  {
    name: 'demand raises the downscale threshold too: 30 free with 20 of signal stays',
    servers: [active('a', 10), active('b', 10), active('c', 10)],
    snapshot: { demand: demand({ signalSeats: 20 }) },
    want: [],
  },
  {
    name: 'scale-in delay: a server launched 30 s ago is not stood down',
    servers: [active('a', 10, { launchedAt: 0 }), active('b', 10, { launchedAt: 0 }), active('c', 10, { launchedAt: NOW - 30_000 })],
    config: { scaleInDelayMs: 60_000 },
    want: [
      { kind: 'standby', serverId: 'a', reason: DOWN, free: 20 },
      { kind: 'standby', serverId: 'b', reason: DOWN, free: 10 },
    ],
  },
  {
    name: 'scale-in delay: a server handed out 10 s ago is not stood down',
    servers: [active('a', 10), active('b', 10, { lastAllocatedAt: NOW - 10_000 })],
    config: { scaleInDelayMs: 60_000 },
    want: [{ kind: 'standby', serverId: 'a', reason: DOWN, free: 10 }],
  },
  {
    name: 'scale-in delay: nothing is stood down within the delay of the last scale-up',
    servers: [active('a', 10), active('b', 10), active('c', 10)],
    snapshot: { lastScaleUpAt: NOW - 59_000 },
    config: { scaleInDelayMs: 60_000 },
    want: [],
  },
  {
    name: 'scale-in delay passed: scale-in as before',
    servers: [active('a', 10), active('b', 10, { lastAllocatedAt: NOW - 60_000 })],
    snapshot: { lastScaleUpAt: NOW - 60_000 },
    config: { scaleInDelayMs: 60_000 },
    want: [{ kind: 'standby', serverId: 'a', reason: DOWN, free: 10 }],
  },
];

describe('decideScale with demand', () => {
  it.each(rows)('$name', ({ servers, snapshot, config, want }) => {
    expect(decideScale(makeSnapshot({ servers, ...snapshot }), makePolicyConfig(config), NOW)).toEqual(want);
  });

  it('headroom ignores negative terms and rounds in-flight seats up', () => {
    expect(demandHeadroom(undefined)).toBe(0);
    expect(demandHeadroom(demand({ waiting: -3, signalSeats: 2, inFlight: 0.1 }))).toBe(3);
  });
});

/** Constant demand: `load` seats in use, `waiting` allocations and a `signal` of seats, from one active server. */
function simulate(load: number, waiting: number, signal: number, scaleInDelayMs: number, ticks: number): string[] {
  return simulateFleet({ load: () => load, ticks, scaleInDelayMs, demand: demand({ waiting, signalSeats: signal }), initialServers: 1 });
}

describe('no flapping under constant demand', () => {
  it('settles: after a while no tick grows or shrinks the fleet, and growth never follows shrinkage', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 0, max: 50 }),
        fc.constantFrom(0, 30_000, 60_000),
        (load, waiting, signal, delay) => {
          const history = simulate(load, waiting, signal, delay, 60);
          // Settled: the last 20 ticks decide nothing.
          const late = simulate(load, waiting, signal, delay, 80).slice(history.length);
          expect(late).toEqual([]);
          // No flap: once the fleet shrank (standby), it never grows again for the same demand.
          const firstDown = history.findIndex((k) => k === 'standby');
          if (firstDown >= 0) expect(history.slice(firstDown).some((k) => k === 'launch' || k === 'activate')).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });
});
