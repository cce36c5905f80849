import fc from 'fast-check';
import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { AllocationResultLabel } from '../../src/manager/allocation-tally.js';
import { createManagerMetrics } from '../../src/manager/metrics.js';

const COUNTER = 'arbiter_allocations_total';
const HISTOGRAM = 'arbiter_allocation_duration_seconds';
const RESULTS: AllocationResultLabel[] = ['server', 'reused', 'backup', 'none'];

/** The same two metrics counted the way prom-client documents: inc() and observe() on every allocation. */
function reference(): { registry: Registry; record: (result: AllocationResultLabel, seconds: number) => void } {
  const registry = new Registry();
  const counter = new Counter({
    name: COUNTER,
    help: 'Allocation requests by result (server, reused, backup, none).',
    labelNames: ['result'],
    registers: [registry],
  });
  for (const result of RESULTS) counter.inc({ result }, 0);
  const histogram = new Histogram({
    name: HISTOGRAM,
    help: 'Time to answer an allocation, inside the manager.',
    buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05],
    registers: [registry],
  });
  return {
    registry,
    record: (result, seconds) => {
      counter.inc({ result });
      histogram.observe(seconds);
    },
  };
}

async function exposition(registry: Registry): Promise<string> {
  return `${await registry.getSingleMetricAsString(COUNTER)}\n${await registry.getSingleMetricAsString(HISTOGRAM)}`;
}

type Op = { kind: 'record'; result: AllocationResultLabel; seconds: number } | { kind: 'scrape' } | { kind: 'reset' };

describe('recordAllocation', () => {
  it('exposes what inc() and observe() on every allocation expose, however records, scrapes and resets interleave', async () => {
    // Durations on a 2^-20 s grid: sums are exact in either order of addition, so the texts compare byte for byte.
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 8, arbitrary: fc.record({ kind: fc.constant('record' as const), result: fc.constantFrom(...RESULTS), seconds: fc.integer({ min: 0, max: 120_000 }).map((k) => k / 2 ** 20) }) },
      { weight: 2, arbitrary: fc.constant({ kind: 'scrape' as const }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'reset' as const }) },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 60 }), async (ops) => {
        const metrics = createManagerMetrics();
        const want = reference();
        for (const o of ops) {
          if (o.kind === 'record') {
            metrics.recordAllocation(o.result, o.seconds);
            want.record(o.result, o.seconds);
          } else if (o.kind === 'reset') {
            metrics.registry.resetMetrics();
            want.registry.resetMetrics();
          } else {
            expect(await exposition(metrics.registry)).toBe(await exposition(want.registry));
          }
        }
        expect(await exposition(metrics.registry)).toBe(await exposition(want.registry));
      }),
      { numRuns: 200 },
    );
  });

  it.each([
    { name: 'a duration on a bucket bound is in that bucket', seconds: 0.0005, bucket: '0.0005' },
    { name: 'a duration just above a bound is in the next', seconds: 0.0005000001, bucket: '0.001' },
    { name: 'a duration above every bound is only in +Inf', seconds: 0.2, bucket: '+Inf' },
  ])('$name', async ({ seconds, bucket }) => {
    const metrics = createManagerMetrics();
    const want = reference();
    metrics.recordAllocation('server', seconds);
    want.record('server', seconds);
    const text = await exposition(metrics.registry);
    expect(text).toBe(await exposition(want.registry));
    expect(text).toContain(`${HISTOGRAM}_bucket{le="${bucket}"} 1`);
  });

  it('adds to what inc() counted directly on the same counter', async () => {
    const metrics = createManagerMetrics();
    metrics.allocations.inc({ result: 'backup' }, 3);
    metrics.recordAllocation('backup', 0.001);
    expect(await metrics.registry.getSingleMetricAsString(COUNTER)).toContain(`${COUNTER}{result="backup"} 4`);
  });
});
