import { afterEach, describe, expect, it, vi } from 'vitest';
import { Loop } from '../../src/manager/loop.js';

interface Probe {
  loop: Loop;
  runs: number;
  concurrent: number;
  maxConcurrent: number;
  errors: unknown[];
  /** Resolves the run in progress, which returns `delay`. */
  finish: (delay?: number) => void;
}

const loops: Loop[] = [];
const probes: Probe[] = [];

/** A loop whose runs stay open until the test finishes them. */
function controlledLoop(onError: (err: unknown) => number = () => 1_000): Probe {
  let release: ((delay: number) => void) | null = null;
  const probe: Probe = {
    runs: 0,
    concurrent: 0,
    maxConcurrent: 0,
    errors: [],
    finish: (delay = 1_000) => {
      const r = release;
      release = null;
      r?.(delay);
    },
    loop: new Loop({
      name: 'test',
      run: async () => {
        probe.runs += 1;
        probe.concurrent += 1;
        probe.maxConcurrent = Math.max(probe.maxConcurrent, probe.concurrent);
        const delay = await new Promise<number>((resolve) => {
          release = resolve;
        });
        probe.concurrent -= 1;
        return delay;
      },
      onError: (err) => {
        probe.errors.push(err);
        return onError(err);
      },
    }),
  };
  probes.push(probe);
  return probe;
}

afterEach(async () => {
  const closing = [...loops.splice(0), ...probes.map((p) => p.loop)].map((l) => l.close());
  // Runs still open would hold close() forever; once closed, finishing them schedules nothing.
  for (const p of probes.splice(0)) p.finish();
  await Promise.all(closing);
  vi.useRealTimers();
});

describe('Loop', () => {
  it('runs again only after a run finished, after the delay it returned', async () => {
    vi.useFakeTimers();
    const p = controlledLoop();
    p.loop.start(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(p.runs).toBe(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(p.runs).toBe(1);
    p.finish(500);
    await vi.advanceTimersByTimeAsync(499);
    expect(p.runs).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(p.runs).toBe(2);
    expect(p.maxConcurrent).toBe(1);
  });

  it('a wake during a run makes exactly one more run right after it', async () => {
    vi.useFakeTimers();
    const p = controlledLoop();
    p.loop.start(0);
    await vi.advanceTimersByTimeAsync(0);
    p.loop.wake();
    p.loop.wake();
    p.loop.wake();
    expect(p.runs).toBe(1);
    p.finish(60_000);
    await vi.advanceTimersByTimeAsync(0);
    expect(p.runs).toBe(2);
    p.finish(60_000);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(p.runs).toBe(2);
    expect(p.maxConcurrent).toBe(1);
  });

  it('a wake while idle runs at once instead of waiting the interval', async () => {
    vi.useFakeTimers();
    const p = controlledLoop();
    p.loop.start(0);
    await vi.advanceTimersByTimeAsync(0);
    p.finish(60_000);
    await vi.advanceTimersByTimeAsync(1);
    p.loop.wake();
    await vi.advanceTimersByTimeAsync(0);
    expect(p.runs).toBe(2);
  });

  it('runOnce waits for a run in progress, then runs once more', async () => {
    const p = controlledLoop();
    p.loop.wake();
    await vi.waitFor(() => expect(p.runs).toBe(1));
    const once = p.loop.runOnce();
    p.finish();
    await vi.waitFor(() => expect(p.runs).toBe(2));
    p.finish();
    await once;
    expect(p.maxConcurrent).toBe(1);
  });

  it('an error is handed to onError and the loop goes on after the delay it gives', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const loop = new Loop({
      name: 'failing',
      run: async () => {
        calls += 1;
        if (calls === 1) throw new Error('boom');
        return 60_000;
      },
      onError: () => 250,
    });
    loops.push(loop);
    loop.start(0);
    await vi.advanceTimersByTimeAsync(249);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toBe(2);
  });

  it('survives a run that throws before returning a promise', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const loop = new Loop({
      name: 'sync-throw',
      run: () => {
        calls += 1;
        throw new Error('sync boom');
      },
      onError: () => 100,
    });
    loops.push(loop);
    loop.start(0);
    await vi.advanceTimersByTimeAsync(250);
    expect(calls).toBe(3);
    loop.wake();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toBe(4);
    await loop.runOnce();
    expect(calls).toBe(5);
  });

  it('close is idempotent, waits for the run in progress and clears the timer', async () => {
    vi.useFakeTimers();
    const p = controlledLoop();
    p.loop.start(0);
    await vi.advanceTimersByTimeAsync(0);
    let closed = false;
    const first = p.loop.close();
    const second = p.loop.close();
    expect(second).toBe(first);
    void first.then(() => {
      closed = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(closed).toBe(false);
    p.finish(10);
    await first;
    expect(closed).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    p.loop.wake();
    p.loop.start(0);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(p.runs).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('close while idle clears the pending timer', async () => {
    vi.useFakeTimers();
    const p = controlledLoop();
    p.loop.start(5_000);
    expect(vi.getTimerCount()).toBe(1);
    await p.loop.close();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(p.runs).toBe(0);
  });
});

describe('Loop started while a woken run is under way', () => {
  it('does not start a second run next to it (the manager is woken by allocations before start())', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let runs = 0;
    let release: (() => void) | null = null;
    const loop = new Loop({
      name: 'overlap',
      run: async () => {
        inFlight += 1;
        runs += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise<void>((r) => {
          release = r;
        });
        inFlight -= 1;
        return 60_000;
      },
      onError: () => 60_000,
    });
    try {
      loop.wake(); // before start: runs once
      await new Promise((r) => setTimeout(r, 5));
      expect(runs).toBe(1);
      loop.start(0); // arms a timer while the woken run is still going
      await new Promise((r) => setTimeout(r, 20));
      expect(maxInFlight).toBe(1);
      (release as unknown as () => void)();
      // The start is not lost: it runs right after the first run.
      await new Promise((r) => setTimeout(r, 20));
      expect(runs).toBe(2);
      expect(maxInFlight).toBe(1);
      (release as unknown as () => void)();
    } finally {
      await loop.close();
    }
  });
});
