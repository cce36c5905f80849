// The shortcuts must never disagree with the policy they stand in for: whenever one says "nothing to add" or
// "nothing to decide", decideScale on the full snapshot says the same. They must also fire in the common steady
// state, or they save nothing; the tables and the firing counts check that.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decideScale, freeCapacity, isAction, type PolicyConfig, type PolicyDemand, type PolicyServer, type PolicySnapshot } from '../../src/manager/policy.js';
import { cannotScaleUp, isQuiet, totalFree, type FleetTotals } from '../../src/manager/policy-shortcuts.js';
import type { ServerState } from '../../src/manager/types.js';
import { makePolicyConfig, makePolicyServer, makeSnapshot } from '../support/factories.js';
import { arbPolicyConfig, policyServerFields } from '../support/policy-arbitraries.js';

const NOW = 1_000_000;

/** The totals the manager keeps as the fleet changes, here computed from the snapshot they summarise. */
function totalsOf(snapshot: PolicySnapshot): FleetTotals {
  const counts: Record<ServerState, number> = { pending: 0, active: 0, standby: 0, stopping: 0, unhealthy: 0 };
  let activeFree = 0;
  for (const s of snapshot.servers) {
    counts[s.state] += 1;
    if (s.state === 'active') activeFree += s.effectiveCapacity;
  }
  const t: FleetTotals = { paused: snapshot.paused, activeFree, counts };
  if (snapshot.demand) t.demand = snapshot.demand;
  if (snapshot.lastScaleUpAt !== undefined) t.lastScaleUpAt = snapshot.lastScaleUpAt;
  return t;
}

const arbConfig = arbPolicyConfig({ maxGap: 40, minServers: { max: 8 }, maxServers: { min: 0, max: 30 }, startTimeoutMs: [1_000, 180_000], scaleInDelayMs: [0, 60_000] });

// Mostly active servers, so that the steady states the shortcuts are for come up often.
const arbState = fc.oneof(
  { weight: 12, arbitrary: fc.constant<ServerState>('active') },
  { weight: 1, arbitrary: fc.constantFrom<ServerState>('pending', 'standby', 'stopping', 'unhealthy') },
);

const arbServer = fc
  .record({
    state: arbState,
    ...policyServerFields,
    held: fc.boolean(),
    launchedAt: fc.integer({ min: NOW - 200_000, max: NOW }),
    lastAllocatedAt: fc.option(fc.integer({ min: NOW - 120_000, max: NOW }), { nil: undefined }),
  })
  // Only an active server in rotation has effective capacity; a pending one has never answered.
  .map((s) => (s.state === 'active' ? s : { ...s, effectiveCapacity: 0, sessions: s.state === 'pending' ? 0 : s.sessions }));

const arbDemand: fc.Arbitrary<PolicyDemand | undefined> = fc.option(
  fc.record({ waiting: fc.integer({ min: 0, max: 5 }), signalSeats: fc.integer({ min: 0, max: 20 }), inFlight: fc.double({ min: 0, max: 10, noNaN: true }) }),
  { nil: undefined },
);

const arbSnapshot: fc.Arbitrary<PolicySnapshot> = fc
  .record({
    servers: fc.array(arbServer, { maxLength: 12 }),
    paused: fc.boolean(),
    demand: arbDemand,
    lastScaleUpAt: fc.option(fc.integer({ min: NOW - 120_000, max: NOW }), { nil: undefined }),
    launchBackoffUntil: fc.option(fc.integer({ min: NOW - 10_000, max: NOW + 10_000 }), { nil: undefined }),
    freeHistory: fc.array(fc.record({ at: fc.integer({ min: NOW - 120_000, max: NOW }), free: fc.integer({ min: 0, max: 200 }) }), { maxLength: 4 }),
  })
  .map(({ servers, demand, lastScaleUpAt, launchBackoffUntil, ...rest }) => {
    const snapshot: PolicySnapshot = { ...rest, servers: servers.map((s, i) => makePolicyServer({ ...s, id: `s${String(i).padStart(2, '0')}` })) };
    if (demand) snapshot.demand = demand;
    if (lastScaleUpAt !== undefined) snapshot.lastScaleUpAt = lastScaleUpAt;
    if (launchBackoffUntil !== undefined) snapshot.launchBackoffUntil = launchBackoffUntil;
    return snapshot;
  });

const scalesUp = (snapshot: PolicySnapshot, config: PolicyConfig): boolean =>
  decideScale(snapshot, config, NOW).some((d) => isAction(d) && (d.kind === 'launch' || d.kind === 'activate'));

describe('policy shortcuts agree with decideScale (properties)', () => {
  it('cannotScaleUp: never true when the policy would launch or return a standby server', () => {
    let fired = 0;
    fc.assert(
      fc.property(arbConfig, arbSnapshot, (config, snapshot) => {
        if (!cannotScaleUp(totalsOf(snapshot), config)) return;
        fired += 1;
        expect(scalesUp(snapshot, config)).toBe(false);
      }),
      { numRuns: 3_000 },
    );
    expect(fired).toBeGreaterThan(300);
  });

  it('isQuiet: never true when the policy would decide anything at all', () => {
    let fired = 0;
    fc.assert(
      fc.property(arbConfig, arbSnapshot, (config, snapshot) => {
        if (!isQuiet(totalsOf(snapshot), config, NOW)) return;
        fired += 1;
        expect(decideScale(snapshot, config, NOW)).toEqual([]);
      }),
      { numRuns: 3_000 },
    );
    expect(fired).toBeGreaterThan(100);
  });

  it('totalFree is freeCapacity over every server', () => {
    fc.assert(
      fc.property(arbConfig, arbSnapshot, (config, snapshot) => {
        expect(totalFree(totalsOf(snapshot), config)).toBe(freeCapacity(snapshot.servers, config.capacity));
      }),
    );
  });
});

describe('policy shortcuts in the steady states they are for', () => {
  const active = (n: number, room: number): PolicyServer[] =>
    Array.from({ length: n }, (_, i) => makePolicyServer({ id: `a${i}`, effectiveCapacity: room, launchedAt: 0 }));
  const config = makePolicyConfig({ upscaleMargin: 4, downscaleMargin: 18, capacity: 10, minServers: 2, maxServers: 20 });

  it.each([
    // [what, servers, paused, demand, cannotScaleUp, isQuiet]
    ['free between the margins', active(3, 4), false, undefined, true, true],
    ['at MIN_SERVERS with a surplus', active(2, 10), false, undefined, true, true],
    ['a surplus above MIN_SERVERS: scale-in possible', active(4, 10), false, undefined, true, false],
    ['free below the upscale margin', active(2, 1), false, undefined, false, false],
    ['fewer active servers than MIN_SERVERS', active(1, 10), false, undefined, false, false],
    ['demand raises the threshold above free capacity', active(3, 4), false, { waiting: 10, signalSeats: 0, inFlight: 0 }, false, false],
    ['paused', active(3, 4), true, undefined, false, false],
    ['a pending server (it may have timed out)', [...active(3, 4), makePolicyServer({ id: 'p', state: 'pending', effectiveCapacity: 0 })], false, undefined, true, false],
    ['an unhealthy server to replace', [...active(3, 4), makePolicyServer({ id: 'u', state: 'unhealthy', effectiveCapacity: 0 })], false, undefined, true, false],
    ['a standby server ready to close', [...active(3, 4), makePolicyServer({ id: 'b', state: 'standby', effectiveCapacity: 0, readyToClose: true })], false, undefined, true, false],
  ] as const)('%s', (_what, servers, paused, demand, up, quiet) => {
    const snapshot = makeSnapshot({ servers: [...servers], paused, ...(demand ? { demand } : {}) });
    const t = totalsOf(snapshot);
    expect(cannotScaleUp(t, config)).toBe(up);
    expect(isQuiet(t, config, NOW)).toBe(quiet);
    if (up) expect(scalesUp(snapshot, config)).toBe(false);
    if (quiet) expect(decideScale(snapshot, config, NOW)).toEqual([]);
  });
});
