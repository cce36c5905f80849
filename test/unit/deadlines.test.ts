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
