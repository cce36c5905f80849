// The online estimates behind SCALING_MODE=demand: arrival rate (EWMA), launch latency (p90), and the share of
// reservations that were joined, which keeps a client that allocates and never joins out of the in-flight term.
import { describe, expect, it } from 'vitest';
import { DemandEstimates } from '../../src/manager/demand-estimates.js';
import { ReservationBook } from '../../src/manager/reservations.js';

describe('DemandEstimates', () => {
  it('a steady 2 allocations a second converges to a rate of 2, and decays when they stop', () => {
    const e = new DemandEstimates({ rateTauMs: 10_000 });
    for (let t = 0; t < 100_000; t += 500) e.arrival(t);
    expect(e.rate(100_000)).toBeCloseTo(2, 1);
    expect(e.rate(130_000)).toBeLessThan(0.11);
  });

  it.each([
    { name: 'no launch measured: the initial latency', latencies: [], initial: 5_000, want: 5_000 },
    { name: 'one launch', latencies: [57_000], initial: 0, want: 57_000 },
    { name: 'p90 of ten', latencies: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((s) => s * 1000), initial: 0, want: 9_000 },
    { name: 'only the last 20 count', latencies: [...Array(20).fill(90_000), ...Array(20).fill(5_000)], initial: 0, want: 5_000 },
    { name: 'nonsense is ignored', latencies: [-1, Number.NaN, 4_000], initial: 0, want: 4_000 },
  ])('launch latency: $name', ({ latencies, initial, want }) => {
    const e = new DemandEstimates({ initialLatencyMs: initial });
    for (const l of latencies) e.launched(l);
    expect(e.latencyMs()).toBe(want);
  });

  it('in flight is rate × join share × latency; a client that never joins drives it towards 0', () => {
    const e = new DemandEstimates({ rateTauMs: 10_000, joinWindow: 10 });
    e.launched(57_000);
    for (let t = 0; t < 60_000; t += 100) e.arrival(t);
    // Nobody seen joining yet: no seats held for the rate.
    expect(e.joinShare()).toBe(0);
    expect(e.inFlight(60_000)).toBe(0);
    e.reservationOutcome(true);
    expect(e.joinShare()).toBe(1);
    expect(e.inFlight(60_000)).toBeCloseTo(10 * 57, -1);
    for (let i = 0; i < 100; i++) e.reservationOutcome(false);
    expect(e.joinShare()).toBeLessThan(0.01);
    expect(e.inFlight(60_000)).toBeLessThan(6);
    for (let i = 0; i < 100; i++) e.reservationOutcome(true);
    expect(e.joinShare()).toBeGreaterThan(0.99);
  });

  it('refuses options that make no estimate', () => {
    expect(() => new DemandEstimates({ rateTauMs: 0 })).toThrow(/rateTauMs/);
    expect(() => new DemandEstimates({ latencyWindow: 0 })).toThrow(/latencyWindow/);
    expect(() => new DemandEstimates({ joinWindow: 1.5 })).toThrow(/joinWindow/);
  });
});

describe('ReservationBook outcomes', () => {
  it('says at the TTL whether each reservation was joined; a released one says nothing', () => {
    const book = new ReservationBook(1_000);
    const outcomes: boolean[] = [];
    book.onOutcome((joined) => outcomes.push(joined));
    book.add('a', undefined, 0);
    book.add('a', undefined, 10);
    const failed = book.add('a', undefined, 20);
    book.release(failed);
    book.absorb('a', 1, 100);
    book.expire(500);
    expect(outcomes).toEqual([]);
    book.expire(1_020);
    expect(outcomes).toEqual([true, false]);
  });
});
