import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ManualClock } from '../support/manual-clock.js';
import { RateLimitWaitError, TokenBucket, type Sleep } from '../../src/aws/token-bucket.js';

/** A sleep that moves the fake clock instead of waiting, and records what it was asked for. */
function fakeSleep(clock: ManualClock, waits: number[] = []): Sleep {
  return async (ms, signal) => {
    if (signal.aborted) throw signal.reason;
    waits.push(ms);
    clock.advance(ms);
  };
}

function makeBucket(overrides: Partial<ConstructorParameters<typeof TokenBucket>[0]> = {}, waits: number[] = []) {
  const clock = new ManualClock();
  const bucket = new TokenBucket({
    name: 'test',
    capacity: 5,
    refillPerSecond: 10,
    clock,
    maxWaitMs: 1_000,
    sleep: fakeSleep(clock, waits),
    ...overrides,
  });
  return { clock, bucket };
}

describe('TokenBucket', () => {
  it('serves the burst at once, then refuses without waiting', () => {
    const { bucket } = makeBucket();
    const taken = Array.from({ length: 7 }, () => bucket.tryTake());
    expect(taken).toEqual([true, true, true, true, true, false, false]);
  });

  it('refills at the configured rate and never above capacity', () => {
    const { bucket, clock } = makeBucket();
    for (let i = 0; i < 5; i += 1) bucket.tryTake();
    clock.advance(250); // 10/s → 2.5 tokens
    expect(bucket.available()).toBeCloseTo(2.5);
    clock.advance(60_000);
    expect(bucket.available()).toBe(5);
  });

  it('makes a caller wait for the refill when empty, in arrival order', async () => {
    const waits: number[] = [];
    const { bucket } = makeBucket({}, waits);
    for (let i = 0; i < 5; i += 1) await bucket.take();
    expect(waits).toEqual([]);
    await bucket.take();
    expect(waits).toEqual([100]); // one token at 10/s
  });

  it('queues concurrent waiters behind each other', async () => {
    const clock = new ManualClock();
    const waits: number[] = [];
    const gate: Array<() => void> = [];
    const sleep: Sleep = (ms) => {
      waits.push(ms);
      return new Promise<void>((resolve) => gate.push(resolve));
    };
    const bucket = new TokenBucket({ name: 't', capacity: 1, refillPerSecond: 10, clock, sleep });
    await bucket.take();
    const a = bucket.take();
    const b = bucket.take();
    expect(waits).toEqual([100, 200]);
    clock.advance(200);
    for (const open of gate) open();
    await Promise.all([a, b]);
    expect(bucket.available()).toBeCloseTo(0);
  });

  it('refuses a wait longer than maxWaitMs', async () => {
    const { bucket } = makeBucket({ capacity: 1, refillPerSecond: 0.5, maxWaitMs: 1_000 });
    await bucket.take();
    await expect(bucket.take()).rejects.toBeInstanceOf(RateLimitWaitError);
  });

  it('close() aborts a waiting caller and refuses new ones', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ name: 't', capacity: 1, refillPerSecond: 1, clock, maxWaitMs: 60_000 });
    await bucket.take();
    const waiting = bucket.take(); // real sleep of 1 s, interrupted below
    bucket.close();
    await expect(waiting).rejects.toBeInstanceOf(RateLimitWaitError);
    await expect(bucket.take()).rejects.toThrow(/closed/);
    expect(bucket.tryTake()).toBe(false);
  });

  it.each([
    { name: 'capacity below one', opts: { capacity: 0 }, want: /capacity/ },
    { name: 'non-positive refill', opts: { refillPerSecond: 0 }, want: /refillPerSecond/ },
    { name: 'negative max wait', opts: { maxWaitMs: -1 }, want: /maxWaitMs/ },
  ])('rejects $name at construction', ({ opts, want }) => {
    expect(() => makeBucket(opts)).toThrow(want);
  });

  it('never grants more than burst + rate × elapsed (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 60 }),
        async (capacity, perSecond, gaps) => {
          const clock = new ManualClock();
          const start = clock.now();
          const bucket = new TokenBucket({ name: 'p', capacity, refillPerSecond: perSecond, clock, maxWaitMs: 1e9, sleep: fakeSleep(clock) });
          let granted = 0;
          for (const gap of gaps) {
            clock.advance(gap);
            await bucket.take();
            granted += 1;
          }
          const elapsedS = (clock.now() - start) / 1000;
          expect(granted).toBeLessThanOrEqual(capacity + perSecond * elapsedS + 1e-6);
        },
      ),
    );
  });
});
