import { describe, expect, it } from 'vitest';
import type { AllocationResult } from '../../src/manager/allocator.js';
import { AllocationWaiters } from '../../src/manager/allocation-waiters.js';

/** An allocator with `seats` free seats on one server, handing them out one by one. */
function seatsAllocator() {
  const state = { seats: 0, given: [] as Array<string | undefined> };
  const tryAllocate = (session: string | undefined): AllocationResult => {
    if (state.seats <= 0) return { kind: 'none', reason: 'every server is full' };
    state.seats -= 1;
    state.given.push(session);
    return { kind: 'server', reused: false, server: { id: 's1', name: 'gs', host: '127.0.0.1', ports: { game: 3000, web: 3080, health: 3080 } } };
  };
  return { state, tryAllocate };
}

describe('AllocationWaiters', () => {
  it('answers at once when a seat is free and nobody waits', async () => {
    const a = seatsAllocator();
    a.state.seats = 1;
    const w = new AllocationWaiters({ tryAllocate: a.tryAllocate, now: Date.now });
    expect(await w.wait('x', 1000)).toMatchObject({ kind: 'server' });
    expect(w.size()).toBe(0);
  });

  it('serves waiters first come first served, as seats free', async () => {
    const a = seatsAllocator();
    const w = new AllocationWaiters({ tryAllocate: a.tryAllocate, now: Date.now });
    const order: string[] = [];
    const all = ['a', 'b', 'c'].map((s) => w.wait(s, 5000).then((r) => r && order.push(s)));
    expect(w.size()).toBe(3);
    a.state.seats = 2;
    expect(w.serve()).toBe(2);
    // A newcomer queues behind the one still waiting even when a seat frees in between.
    a.state.seats = 1;
    const late = w.wait('d', 5000);
    expect(w.size()).toBe(2);
    w.serve();
    a.state.seats = 1;
    w.serve();
    await Promise.all([...all, late]);
    expect(a.state.given).toEqual(['a', 'b', 'c', 'd']);
  });

  it('a waiter whose wait runs out or whose caller aborts leaves the queue with null', async () => {
    const a = seatsAllocator();
    const done: Array<[number, boolean]> = [];
    const w = new AllocationWaiters({ tryAllocate: a.tryAllocate, now: Date.now, onDone: (ms, served) => done.push([ms, served]) });
    const aborter = new AbortController();
    const aborted = w.wait('x', 60_000, aborter.signal);
    const timed = w.wait('y', 20);
    aborter.abort();
    expect(await aborted).toBeNull();
    expect(await timed).toBeNull();
    expect(w.size()).toBe(0);
    expect(done.map(([, served]) => served)).toEqual([false, false]);
  });

  it('is bounded and closes every waiter', async () => {
    const a = seatsAllocator();
    const w = new AllocationWaiters({ tryAllocate: a.tryAllocate, now: Date.now, maxWaiters: 2 });
    const first = [w.wait('1', 60_000), w.wait('2', 60_000)];
    expect(await w.wait('3', 60_000)).toBeNull();
    w.close();
    expect(await Promise.all(first)).toEqual([null, null]);
    expect(await w.wait('4', 60_000)).toBeNull();
  });
});
