import { describe, expect, it } from 'vitest';
import { ManualClock } from '../support/manual-clock.js';
import { createManagerMetrics } from '../../src/manager/metrics.js';
import { METRICS_LINE_MESSAGE, metricsLineFields, startMetricsLine, type CounterTotals } from '../../src/manager/metrics-line.js';
import { parseConfig } from '../../src/config/config.js';
import { captureLogger } from '../api/capture-logger.js';

const totals = (overrides: Partial<CounterTotals> = {}): CounterTotals => ({
  backupAllocations: 0,
  launchFailures: 0,
  startFailures: 0,
  ...overrides,
});

describe('metricsLineFields', () => {
  it.each([
    {
      name: 'reports increases since the previous line',
      current: totals({ backupAllocations: 7, launchFailures: 3, startFailures: 1 }),
      previous: totals({ backupAllocations: 2, launchFailures: 3 }),
      status: { live: true, inRotation: 2, tickAgeMs: 4_400 },
      want: { backupAllocations: 5, launchFailures: 0, startFailures: 1, inRotation: 2, tickStale: 0, tickAgeSeconds: 4 },
    },
    {
      name: 'a counter that went back reports 0, never a negative count',
      current: totals({ backupAllocations: 1 }),
      previous: totals({ backupAllocations: 9 }),
      status: { live: true, inRotation: 0, tickAgeMs: 0 },
      want: { backupAllocations: 0 },
    },
    {
      name: 'a stale loop is 1',
      current: totals(),
      previous: totals(),
      status: { live: false, inRotation: 1, tickAgeMs: 95_000 },
      want: { tickStale: 1, tickAgeSeconds: 95 },
    },
  ])('$name', ({ current, previous, status, want }) => {
    expect(metricsLineFields('fleet-a', current, previous, status)).toMatchObject({ fleetId: 'fleet-a', ...want });
  });
});

describe('startMetricsLine', () => {
  it('writes the counters of the real registry as steps, with the fixed message the metric filters match', async () => {
    const metrics = createManagerMetrics();
    metrics.allocations.inc({ result: 'backup' }, 4); // before the line starts: not reported
    const clock = new ManualClock();
    const { logger, lines } = captureLogger();
    let live = true;
    const line = await startMetricsLine(
      { registry: metrics.registry, status: () => ({ live, lastTickAt: new Date(clock.now() - 3000).toISOString() }), rotation: () => ['a', 'b'] },
      { fleetId: 'arbiter', intervalMs: 0, logger, clock },
    );
    metrics.allocations.inc({ result: 'backup' }, 2);
    metrics.allocations.inc({ result: 'server' }, 50);
    metrics.launchFailures.inc({ reason: 'RESOURCE:MEMORY' });
    metrics.launchFailures.inc({ reason: 'throttled' }, 2);
    metrics.startFailures.inc();
    await line.emit();
    live = false;
    await line.emit();
    line.close();

    const [first, second] = lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(first).toMatchObject({
      message: METRICS_LINE_MESSAGE,
      fleetId: 'arbiter',
      inRotation: 2,
      backupAllocations: 2,
      launchFailures: 3,
      startFailures: 1,
      tickStale: 0,
      tickAgeSeconds: 3,
    });
    expect(second).toMatchObject({ backupAllocations: 0, launchFailures: 0, startFailures: 0, tickStale: 1 });
  });

  it('runs on its own timer and stops on close()', async () => {
    const { logger, lines } = captureLogger();
    const line = await startMetricsLine(
      { registry: createManagerMetrics().registry, status: () => ({ live: true, lastTickAt: null }), rotation: () => [] },
      { fleetId: 'arbiter', intervalMs: 20, logger, clock: new ManualClock() },
    );
    const deadline = Date.now() + 3000;
    while (lines().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    line.close();
    const written = lines().length;
    expect(written).toBeGreaterThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 60));
    expect(lines().length).toBe(written);
  });
});

describe('METRICS_LOG_INTERVAL', () => {
  it.each([
    { value: undefined, want: 0 },
    { value: '0', want: 0 },
    { value: '60', want: 60_000 },
  ])('$value → $want ms', ({ value, want }) => {
    expect(parseConfig(value === undefined ? {} : { METRICS_LOG_INTERVAL: value }).metricsLogIntervalMs).toBe(want);
  });

  it.each(['0.5', '-1', '3601', 'often'])('refuses %s, naming the variable', (value) => {
    expect(() => parseConfig({ METRICS_LOG_INTERVAL: value })).toThrowError(/METRICS_LOG_INTERVAL/);
  });
});
