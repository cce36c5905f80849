// DemandWatch: allocations and poll rounds wake the reconcile loop when the policy wants more capacity,
// coalesced and spaced so that demand never becomes a tick per request.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../support/manual-clock.js';
import { DemandWatch } from '../../src/manager/demand-watch.js';

/** Timers run by hand: fire() runs every timer due by the clock's time. */
function fakeTimers(clock: ManualClock) {
  let next = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    setTimer: (fn: () => void, ms: number) => {
      const id = next++;
      timers.set(id, { at: clock.now() + ms, fn });
      return id;
    },
    clearTimer: (id: unknown) => void timers.delete(id as number),
    pending: () => [...timers.values()].map((t) => t.at - clock.now()),
    fire: () => {
      for (const [id, t] of [...timers]) {
        if (t.at <= clock.now()) {
          timers.delete(id);
          t.fn();
        }
      }
    },
  };
}

function harness(wants = true) {
  const clock = new ManualClock(1_000_000);
  const timers = fakeTimers(clock);
  const state = { wants, checks: 0, wakes: [] as number[] };
  const watch = new DemandWatch({
    clock,
    wantsMore: () => {
      state.checks += 1;
      return state.wants;
    },
    wake: () => state.wakes.push(clock.now()),
    checkMs: 100,
    spacingMs: 1_000,
    setTimer: timers.setTimer,
    clearTimer: timers.clearTimer,
  });
  return { clock, timers, state, watch };
}

describe('DemandWatch', () => {
  it('checks once for a burst of allocations, after checkMs, and wakes when the policy wants more', () => {
    const h = harness();
    for (let i = 0; i < 1_000; i++) h.watch.allocated();
    expect(h.timers.pending()).toEqual([100]);
    expect(h.state.checks).toBe(0);
    h.clock.advance(100);
    h.timers.fire();
    expect(h.state.checks).toBe(1);
    expect(h.state.wakes).toEqual([1_000_100]);
  });

  it('does not wake when the policy is content', () => {
    const h = harness(false);
    h.watch.allocated();
    h.clock.advance(100);
    h.timers.fire();
    h.watch.check();
    expect(h.state.checks).toBe(2);
    expect(h.state.wakes).toEqual([]);
    expect(h.timers.pending()).toEqual([]);
  });

  it('spaces demand wakes: a second one within spacingMs waits for the spacing, and is not repeated', () => {
    const h = harness();
    h.watch.check();
    expect(h.state.wakes).toEqual([1_000_000]);
    h.clock.advance(300);
    h.watch.check();
    h.watch.check();
    h.watch.allocated();
    expect(h.state.wakes).toHaveLength(1);
    expect(h.timers.pending()).toEqual([700]);
    h.clock.advance(700);
    h.timers.fire();
    expect(h.state.wakes).toEqual([1_000_000, 1_001_000]);
  });

  it('at most one wake per spacing however long demand lasts', () => {
    const h = harness();
    for (let ms = 0; ms < 10_000; ms += 50) {
      h.watch.allocated();
      h.watch.check();
      h.clock.advance(50);
      h.timers.fire();
    }
    // at 0 s, 1 s, … 10 s: one per second although there were 400 allocations and 200 checks
    expect(h.state.wakes).toHaveLength(11);
    expect(h.state.wakes.every((t, i) => t === 1_000_000 + i * 1_000)).toBe(true);
  });

  it('does nothing once closed, and drops the check it had armed', () => {
    const h = harness();
    h.watch.allocated();
    h.watch.close();
    expect(h.timers.pending()).toEqual([]);
    h.watch.allocated();
    h.watch.check();
    expect(h.state.checks).toBe(0);
    expect(h.state.wakes).toEqual([]);
  });
});
