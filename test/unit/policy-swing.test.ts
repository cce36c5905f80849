// SCALE_IN_DELAY as a window: scale-in weighs the lowest free capacity over the delay, so demand that swings from tick
// to tick (reservations that come and go: a client that allocates and never joins) does not stand servers down at the
// top of a swing only to bring them back at its bottom.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FreeHistory } from '../../src/manager/free-history.js';
import { decideScale, lowestRecentFree, type Decision, type FreeSample, type PolicyServer } from '../../src/manager/policy.js';
import { makePolicyConfig, makePolicyServer, makeSnapshot } from '../support/factories.js';
import { simulateFleet } from '../support/policy-fleet.js';

const NOW = 1_000_000;
const DOWN = 'free capacity above downscale margin';
const active = (id: string, effectiveCapacity: number, sessions = 0) => makePolicyServer({ id, state: 'active', effectiveCapacity, sessions });

interface Row {
  name: string;
  servers: PolicyServer[];
  history: FreeSample[];
  want: Decision[];
}

const rows: Row[] = [
  {
    name: '30 free now but 12 free 3 s ago (delay 10 s): nothing is stood down',
    servers: [active('a', 10), active('b', 10), active('c', 10)],
    history: [{ at: NOW - 3_000, free: 12 }],
    want: [],
  },
  {
    name: 'a low older than the delay no longer holds scale-in back',
    servers: [active('a', 10), active('b', 10), active('c', 10)],
    history: [{ at: NOW - 10_000, free: 12 }],
    want: [
      { kind: 'standby', serverId: 'a', reason: DOWN, free: 20 },
      { kind: 'standby', serverId: 'b', reason: DOWN, free: 10 },
    ],
  },
  {
    name: 'the low allows one standby where the current count allows two: 40 free now, 25 at the low',
    servers: [active('a', 10), active('b', 10), active('c', 10), active('d', 10)],
    history: [{ at: NOW - 5_000, free: 25 }],
    want: [{ kind: 'standby', serverId: 'a', reason: DOWN, free: 30 }],
  },
  {
    name: 'a partly used server takes all its seats at the low: 6 free and 4 players cannot go when the low is 13',
    servers: [active('a', 6, 4), active('b', 1, 9), active('c', 6, 4)],
    history: [{ at: NOW - 1_000, free: 13 }],
    want: [],
  },
  {
    name: 'without history the current free capacity is the low (the seed rule)',
    servers: [active('a', 10), active('b', 10), active('c', 10)],
    history: [],
    want: [
      { kind: 'standby', serverId: 'a', reason: DOWN, free: 20 },
      { kind: 'standby', serverId: 'b', reason: DOWN, free: 10 },
    ],
  },
];

describe('scale-in weighs the lowest free capacity over SCALE_IN_DELAY', () => {
  it.each(rows)('$name', ({ servers, history, want }) => {
    const config = makePolicyConfig({ scaleInDelayMs: 10_000, upscaleMargin: 4, downscaleMargin: 18 });
    expect(decideScale(makeSnapshot({ servers, freeHistory: history }), config, NOW)).toEqual(want);
  });

  it('lowestRecentFree counts only samples younger than the window', () => {
    const h = [{ at: 0, free: 1 }, { at: 5, free: 3 }, { at: 9, free: 7 }];
    expect(lowestRecentFree(h, 9, 10, 11)).toBe(1);
    expect(lowestRecentFree(h, 9, 10, 10)).toBe(3);
    expect(lowestRecentFree(h, 2, 10, 10)).toBe(2);
    expect(lowestRecentFree(undefined, 4, 10, 10)).toBe(4);
  });

  it('FreeHistory keeps the window minimum with few samples', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 200 }), fc.integer({ min: 1, max: 30 }), (frees, window) => {
        const history = new FreeHistory();
        frees.forEach((free, t) => {
          history.record(t, free, window);
          const inWindow = frees.slice(Math.max(0, t - window + 1), t + 1);
          expect(lowestRecentFree(history.list(), free, t, window)).toBe(Math.min(...inWindow));
          expect(history.list().length).toBeLessThanOrEqual(41);
        });
      }),
      { numRuns: 200 },
    );
  });
});

/** Demand that repeats the pattern `swing` (one entry a tick); a standby server is empty and ready to close. */
function simulate(swing: number[], delayMs: number, ticks: number): string[] {
  return simulateFleet({ load: (t) => swing[t % swing.length] as number, ticks, scaleInDelayMs: delayMs, standbyReadyToClose: true });
}

describe('no flapping under demand that swings', () => {
  it('a repeating swing no longer than the delay settles: no growth after a shrink, and then no decision at all', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200 }),
        fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 3 }),
        (base, swings, slack) => {
          const swing = swings.map((s) => base + s);
          // The delay covers the whole swing (ticks are 10 s): the low it weighs is the swing's peak demand.
          const delayMs = (swing.length + slack) * 10_000;
          const kinds = simulate(swing, delayMs, 80);
          const firstDown = kinds.findIndex((k) => k === 'standby');
          if (firstDown >= 0) expect(kinds.slice(firstDown).filter((k) => k === 'launch' || k === 'activate')).toEqual([]);
          // Settled: 20 more ticks decide nothing but stopping what was stood down.
          expect(simulate(swing, delayMs, 100).slice(kinds.length).filter((k) => k !== 'stop')).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('the same swing flaps when scale-in weighs only the current tick (what the window prevents)', () => {
    // Demand 0 → 45 → 0 …: with a 0 delay the top of the swing stands servers down that the bottom brings back.
    const kinds = simulate([0, 45], 0, 20);
    const firstDown = kinds.findIndex((k) => k === 'standby');
    expect(firstDown).toBeGreaterThanOrEqual(0);
    expect(kinds.slice(firstDown).some((k) => k === 'launch' || k === 'activate')).toBe(true);
    const held = simulate([0, 45], 20_000, 20);
    const heldDown = held.findIndex((k) => k === 'standby');
    expect(heldDown).toBe(-1);
    expect(simulate([0, 45], 20_000, 40).slice(held.length)).toEqual([]);
  });
});
