import { describe, expect, it } from 'vitest';
import { Deadlines } from '../../src/manager/deadlines.js';

const never = (signal: AbortSignal): Promise<never> =>
  new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));

describe('Deadlines', () => {
  it('aborts a task that outlives its deadline, within a sweep of it', async () => {
    const d = new Deadlines(40);
    const t0 = performance.now();
    await expect(d.run(never)).rejects.toMatchObject({ name: 'TimeoutError' });
    const took = performance.now() - t0;
    expect(took).toBeGreaterThanOrEqual(39);
    expect(took).toBeLessThan(1000);
  });

  it('leaves a finished task alone and stops its timer once nothing is in flight', async () => {
    const d = new Deadlines(30);
    let aborted = false;
    const value = await d.run(async (signal) => {
      signal.addEventListener('abort', () => (aborted = true));
      return 7;
    });
    await new Promise((r) => setTimeout(r, 80));
    expect(value).toBe(7);
    expect(aborted).toBe(false);
    expect((d as unknown as { timer: unknown }).timer).toBeNull();
  });

  it('aborts the late ones only, when tasks of different ages are in flight', async () => {
    const d = new Deadlines(60);
    const early = d.run(never);
    await new Promise((r) => setTimeout(r, 40));
    let secondDone = false;
    const late = d.run(async () => {
      await new Promise((r) => setTimeout(r, 45));
      secondDone = true;
      return 'ok';
    });
    await expect(early).rejects.toMatchObject({ name: 'TimeoutError' });
    await expect(late).resolves.toBe('ok');
    expect(secondDone).toBe(true);
  });

  it('abortAll() ends what is in flight', async () => {
    const d = new Deadlines(10_000);
    const p = d.run(never);
    d.abortAll();
    await expect(p).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('refuses a timeout that is not positive', () => {
    expect(() => new Deadlines(0)).toThrow(RangeError);
  });
});

describe('Deadlines: one controller per sweep', () => {
  it('tasks started together share a signal, and a task started after the next sweep gets its own', async () => {
    const d = new Deadlines(400);
    const signals: AbortSignal[] = [];
    const hold = (signal: AbortSignal) => {
      signals.push(signal);
      return new Promise<void>((resolve) => setTimeout(resolve, 5));
    };
    const together = Promise.all(Array.from({ length: 20 }, () => d.run(hold)));
    await new Promise((r) => setTimeout(r, 120));
    const later = d.run(hold);
    await Promise.all([together, later]);
    expect(new Set(signals.slice(0, 20)).size).toBe(1);
    expect(signals[20]).not.toBe(signals[0]);
    expect(signals.every((s) => !s.aborted)).toBe(true);
  });

  it('a shared signal aborts every task still under it, and none sooner than its own timeout', async () => {
    const d = new Deadlines(40);
    const t0 = performance.now();
    const results = await Promise.allSettled(Array.from({ length: 15 }, () => d.run(never)));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(39);
  });
});
