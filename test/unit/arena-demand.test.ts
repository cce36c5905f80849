// DemandAnnouncer: the queue's depth sent as {source, seats, ttl}, refreshed, capped, one warning per distinct
// problem, never two sends at once, and seats 0 on stop. Fake timers; the manager is a recording function.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DemandAnnouncer } from '../../src/arena/demand.js';
import type { DemandSignal } from '../../src/runner/index.js';
import { captureLogger } from '../api/capture-logger.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function make(opts: { depth?: () => Promise<number>; fail?: () => Error | null; refreshMs?: number } = {}) {
  const sent: DemandSignal[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const log = captureLogger({ level: 'info' });
  const announcer = new DemandAnnouncer({
    source: 'arena',
    refreshMs: opts.refreshMs ?? 1000,
    depth: opts.depth ?? (async () => 7),
    async announce(signal) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 10));
      inFlight--;
      const err = opts.fail?.() ?? null;
      if (err) throw err;
      sent.push(signal);
    },
    logger: log.logger,
  });
  return { announcer, sent, log, maxInFlight: () => maxInFlight };
}

describe('DemandAnnouncer', () => {
  it('sends the depth at start and every refresh, with a ttl of three refreshes, one send at a time', async () => {
    let depth = 7;
    const t = make({ depth: async () => depth, refreshMs: 2000 });
    t.announcer.start();
    await vi.advanceTimersByTimeAsync(20);
    depth = 3;
    await vi.advanceTimersByTimeAsync(2020);
    await vi.advanceTimersByTimeAsync(2020);
    expect(t.sent).toEqual([
      { source: 'arena', seats: 7, ttl: 6 },
      { source: 'arena', seats: 3, ttl: 6 },
      { source: 'arena', seats: 3, ttl: 6 },
    ]);
    expect(t.maxInFlight()).toBe(1);
    const stopped = t.announcer.stop();
    await vi.advanceTimersByTimeAsync(20);
    await stopped;
    expect(t.sent.at(-1)).toEqual({ source: 'arena', seats: 0, ttl: 6 });
    const before = t.sent.length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(t.sent).toHaveLength(before); // no refresh after stop
  });

  it.each([
    { name: 'a huge queue is capped at what the manager accepts', depth: 5_000_000, want: 100_000 },
    { name: 'a negative count (never expected) is sent as 0', depth: -4, want: 0 },
  ])('$name', async ({ depth, want }) => {
    const t = make({ depth: async () => depth });
    t.announcer.start();
    await vi.advanceTimersByTimeAsync(20);
    expect(t.sent[0]?.seats).toBe(want);
    const stopped = t.announcer.stop();
    await vi.advanceTimersByTimeAsync(20);
    await stopped;
  });

  it('warns once per distinct problem, keeps trying, and says when it is accepted again', async () => {
    let failing = true;
    const t = make({ fail: () => (failing ? new Error('the manager refused the demand signal with 403: wrong token') : null) });
    t.announcer.start();
    await vi.advanceTimersByTimeAsync(3100);
    const warnings = () => t.log.lines().filter((l) => l.includes('demand signal not sent'));
    expect(warnings()).toHaveLength(1);
    failing = false;
    await vi.advanceTimersByTimeAsync(1100);
    expect(t.sent.length).toBeGreaterThan(0);
    expect(t.log.lines().some((l) => l.includes('demand signal accepted again'))).toBe(true);
    const stopped = t.announcer.stop();
    await vi.advanceTimersByTimeAsync(20);
    await stopped;
  });

  it('an unreadable queue depth sends nothing and warns', async () => {
    const t = make({ depth: async () => Promise.reject(new Error('connection refused')) });
    t.announcer.start();
    await vi.advanceTimersByTimeAsync(2100);
    expect(t.sent).toEqual([]);
    expect(t.log.lines().filter((l) => l.includes('queue depth unreadable'))).toHaveLength(1);
    const stopped = t.announcer.stop();
    await vi.advanceTimersByTimeAsync(20);
    await stopped;
  });

  it.each([
    { name: 'a refresh under 100 ms', opts: { source: 'arena', refreshMs: 50 } },
    { name: 'a source the manager would refuse', opts: { source: 'my arena!', refreshMs: 1000 } },
  ])('refuses $name at construction', ({ opts }) => {
    expect(() => new DemandAnnouncer({ ...opts, depth: async () => 0, announce: async () => undefined, logger: captureLogger().logger })).toThrow(RangeError);
  });
});
