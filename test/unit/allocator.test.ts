import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Allocator, effectiveCapacity, selectServer, type AllocationStrategy, type Candidate } from '../../src/manager/allocator.js';
import { ManualClock } from '../support/manual-clock.js';
import { Fleet } from '../../src/manager/fleet.js';
import { ReservationBook } from '../../src/manager/reservations.js';
import { makeBackendServer, makeHealthReport } from '../support/factories.js';
import { failUntilUnhealthy } from '../support/fleet-changes.js';

const TTL = 30_000;
const REPORTED_AT = 500;

interface ServerSpec {
  id: string;
  available: number;
  launchedAt?: number;
}

/** A fleet whose servers all answered a poll sent at REPORTED_AT; the clock then reads 1000. */
function setup(specs: ServerSpec[], strategy: AllocationStrategy = 'packed') {
  const clock = new ManualClock(REPORTED_AT);
  const fleet = new Fleet({ failThreshold: 3, listingGraceMs: 60_000 });
  fleet.applyObservation(
    specs.map((s, i) => makeBackendServer({ id: s.id, host: `10.0.0.${i + 1}`, launchedAt: s.launchedAt ?? 0 })),
    clock.now(),
    true,
  );
  for (const s of specs) fleet.applyReport(s.id, makeHealthReport({ availableCapacity: s.available }), REPORTED_AT, REPORTED_AT, 'poll');
  clock.set(1_000);
  const book = new ReservationBook(TTL);
  const allocator = new Allocator(fleet, book, strategy);
  const capacity = (id: string) => effectiveCapacity(fleet.get(id)!, book, clock.now());
  const allocateId = (session?: string) => {
    const r = allocator.allocate(session, clock.now());
    return r.kind === 'server' ? r.server.id : null;
  };
  return { clock, fleet, book, allocator, capacity, allocateId };
}

const c = (id: string, effectiveCapacity: number, launchedAt = 0): Candidate => ({ id, effectiveCapacity, launchedAt });

describe('selectServer', () => {
  it.each([
    { name: 'packed takes the fullest server with room', strategy: 'packed', candidates: [c('a', 7), c('b', 2), c('c', 9)], want: 'b' },
    { name: 'spread takes the server with most room', strategy: 'spread', candidates: [c('a', 7), c('b', 2), c('c', 9)], want: 'c' },
    { name: 'packed skips full servers', strategy: 'packed', candidates: [c('a', 0), c('b', 5)], want: 'b' },
    { name: 'spread skips full servers', strategy: 'spread', candidates: [c('a', 0), c('b', 5)], want: 'b' },
    { name: 'packed tie goes to the oldest', strategy: 'packed', candidates: [c('a', 3, 20), c('b', 3, 10)], want: 'b' },
    { name: 'spread tie goes to the oldest', strategy: 'spread', candidates: [c('a', 3, 20), c('b', 3, 10)], want: 'b' },
    { name: 'same age ties go to the smaller id', strategy: 'packed', candidates: [c('b', 3), c('a', 3)], want: 'a' },
    { name: 'no server with room', strategy: 'packed', candidates: [c('a', 0), c('b', 0)], want: undefined },
    { name: 'no server at all', strategy: 'spread', candidates: [], want: undefined },
  ] as const)('$name', ({ strategy, candidates, want }) => {
    expect(selectServer(candidates, strategy)?.id).toBe(want);
  });

  it('never returns a server without room, and returns one whenever any has room', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 8 }), fc.constantFrom<AllocationStrategy>('packed', 'spread'), (caps, strategy) => {
        const chosen = selectServer(caps.map((n, i) => c(`s${i}`, n)), strategy);
        if (caps.some((n) => n > 0)) expect(chosen?.effectiveCapacity).toBeGreaterThan(0);
        else expect(chosen).toBeUndefined();
      }),
    );
  });
});

describe('Allocator', () => {
  it('1,000 concurrent allocations never give a server more than its effective capacity', async () => {
    const specs = [
      { id: 'a', available: 3 },
      { id: 'b', available: 50 },
      { id: 'c', available: 100 },
      { id: 'd', available: 7 },
      { id: 'e', available: 0 },
    ];
    for (const strategy of ['packed', 'spread'] as const) {
      const { allocator, clock, capacity } = setup(specs, strategy);
      const results = await Promise.all(
        Array.from({ length: 1_000 }, async (_, i) => {
          await Promise.resolve();
          const r = allocator.allocate(i % 3 === 0 ? `m${i}` : undefined, clock.now());
          // The caller goes on to await its own I/O; nothing it does can undo the reservation.
          await new Promise((resolve) => setImmediate(resolve));
          return r.kind === 'server' ? r.server.id : null;
        }),
      );
      const given = new Map<string, number>();
      for (const id of results) if (id !== null) given.set(id, (given.get(id) ?? 0) + 1);
      for (const s of specs) {
        expect(given.get(s.id) ?? 0, `${strategy}: ${s.id}`).toBe(s.available);
        expect(capacity(s.id)).toBe(0);
      }
      expect(results.filter((r) => r === null)).toHaveLength(1_000 - 160);
    }
  });

  it('hands each server out at most its capacity, whatever the capacities (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 0, max: 40 }), (caps, n) => {
        const { allocateId } = setup(caps.map((available, i) => ({ id: `s${i}`, available })));
        const counts = new Map<string, number>();
        for (let i = 0; i < n; i++) {
          const id = allocateId();
          if (id !== null) counts.set(id, (counts.get(id) ?? 0) + 1);
        }
        caps.forEach((cap, i) => expect(counts.get(`s${i}`) ?? 0).toBeLessThanOrEqual(cap));
        const total = caps.reduce((a, b) => a + b, 0);
        expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(Math.min(n, total));
      }),
    );
  });

  it('never hands out a server that reports 0', () => {
    const { allocator, clock } = setup([{ id: 'full', available: 0 }]);
    expect(allocator.allocate(undefined, clock.now())).toEqual({ kind: 'none', reason: 'every server is full' });
  });

  it('says when there is no server in rotation at all', () => {
    const { allocator, clock, fleet } = setup([{ id: 'a', available: 5 }]);
    fleet.markStandby('a', true);
    expect(allocator.allocate(undefined, clock.now())).toEqual({ kind: 'none', reason: 'no server in rotation' });
  });

  it.each([
    { name: 'standby', change: (f: Fleet) => f.markStandby('a', true) },
    { name: 'after a failed poll', change: (f: Fleet) => f.applyFailure('a', 'timeout', 1_000) },
    { name: 'stopping', change: (f: Fleet) => f.markStopping('a', 'operator') },
    { name: 'unhealthy', change: (f: Fleet) => failUntilUnhealthy(f, 'a', 'broken') },
  ])('does not hand out a server $name', ({ change }) => {
    const { fleet, allocateId } = setup([{ id: 'a', available: 5 }]);
    change(fleet);
    expect(allocateId()).toBeNull();
  });

  it('?session= gets the same server while its reservation lives, and a new placement after the TTL', () => {
    const { clock, fleet, book, allocator, allocateId } = setup([
      { id: 'a', available: 1 },
      { id: 'b', available: 5 },
    ]);
    const first = allocator.allocate('match-1', clock.now());
    expect(first).toMatchObject({ kind: 'server', server: { id: 'a' }, reused: false });
    clock.advance(TTL - 1);
    // Server a is now full, but the session already lives there.
    expect(allocator.allocate('match-1', clock.now())).toMatchObject({ kind: 'server', server: { id: 'a' }, reused: true });
    expect(book.live('a', clock.now())).toBe(1);
    expect(allocateId()).toBe('b');
    clock.advance(1);
    fleet.applyReport('a', makeHealthReport({ availableCapacity: 0 }), clock.now(), clock.now(), 'poll');
    expect(allocator.allocate('match-1', clock.now())).toMatchObject({ kind: 'server', server: { id: 'b' }, reused: false });
  });

  it('places a session anew when its server left rotation', () => {
    const { clock, fleet, allocator } = setup([
      { id: 'a', available: 1 },
      { id: 'b', available: 5 },
    ]);
    allocator.allocate('match-1', clock.now());
    failUntilUnhealthy(fleet, 'a', 'broken');
    expect(allocator.allocate('match-1', clock.now())).toMatchObject({ kind: 'server', server: { id: 'b' }, reused: false });
  });

  it('reservations expire after the TTL and give the room back', () => {
    const { clock, allocateId, capacity } = setup([{ id: 'a', available: 2 }]);
    expect([allocateId(), allocateId(), allocateId()]).toEqual(['a', 'a', null]);
    clock.advance(TTL - 1);
    expect(capacity('a')).toBe(0);
    clock.advance(1);
    expect(capacity('a')).toBe(2);
    expect(allocateId()).toBe('a');
  });

  it('a poll sent after a reservation absorbs it; one sent before does not', () => {
    const { clock, fleet, allocateId, capacity } = setup([{ id: 'a', available: 3 }]);
    expect(allocateId()).toBe('a');
    expect(capacity('a')).toBe(2);
    // Sent before the reservation (still reports 3 free), answered after: the reservation still counts.
    fleet.applyReport('a', makeHealthReport({ availableCapacity: 3 }), 900, 1_100, 'poll');
    expect(capacity('a')).toBe(2);
    // Sent after it: the gameserver already counts the session, so the reservation is not subtracted again.
    clock.set(1_200);
    fleet.applyReport('a', makeHealthReport({ availableCapacity: 2 }), 1_150, 1_200, 'poll');
    expect(capacity('a')).toBe(2);
    // A stale answer that arrives late does not overwrite the fresher one.
    fleet.applyReport('a', makeHealthReport({ availableCapacity: 3 }), 950, 1_250, 'poll');
    expect(capacity('a')).toBe(2);
  });
});
