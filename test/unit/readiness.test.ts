import { describe, expect, it } from 'vitest';
import { Readiness } from '../../src/manager/readiness.js';
import { createCapturingLogger } from '../support/factories.js';
import { ManualClock } from '../support/manual-clock.js';

const SLEEP_MS = 10_000;
// Three intervals and 30 s of slack: 60 s at SLEEP_TIME 10 s.
const STALE_AFTER = 3 * SLEEP_MS + 30_000;

function harness(lastTickOk: number | null, observed = true) {
  const clock = new ManualClock(0);
  const { logger, lines } = createCapturingLogger();
  const readyCalls: number[] = [];
  const readiness = new Readiness({
    clock,
    logger,
    sleepMs: SLEEP_MS,
    reconciler: { hasObserved: () => observed, lastTickOk: () => lastTickOk, freeCapacity: () => 7 },
    fleet: { size: () => 2 },
    operator: { paused: () => false },
    onReady: () => readyCalls.push(clock.now()),
  });
  return { clock, readiness, lines, readyCalls };
}

describe('Readiness', () => {
  it.each([
    { name: 'no tick yet, just started', lastTickOk: null, at: STALE_AFTER, live: true },
    { name: 'no tick since start for too long', lastTickOk: null, at: STALE_AFTER + 1, live: false },
    { name: 'a good tick within the window', lastTickOk: 50_000, at: 50_000 + STALE_AFTER, live: true },
    { name: 'the last good tick too long ago', lastTickOk: 50_000, at: 50_000 + STALE_AFTER + 1, live: false },
  ])('live: $name → $live', ({ lastTickOk, at, live }) => {
    const h = harness(lastTickOk);
    h.clock.set(at);
    expect(h.readiness.status()).toMatchObject({ live, lastTickAt: lastTickOk === null ? null : new Date(lastTickOk).toISOString(), servers: 2, free: 7, paused: false });
  });

  it.each([
    { name: 'after a complete observation', observed: true, ready: true, logged: 1 },
    { name: 'not before one', observed: false, ready: false, logged: 0 },
  ])('ready once a poll round is done $name, logged once', ({ observed, ready, logged }) => {
    const h = harness(null, observed);
    expect(h.readiness.isReady()).toBe(false);
    h.readiness.pollRoundDone();
    h.readiness.pollRoundDone();
    expect(h.readiness.status().ready).toBe(ready);
    expect(h.lines.filter((l) => l.message === 'manager ready')).toHaveLength(logged);
    expect(h.readyCalls).toHaveLength(logged);
  });
});
