// A health report cannot lie the fleet into trouble: above capacity it is clamped, above its own max it is a failed poll.
import { describe, expect, it } from 'vitest';
import { boundReport } from '../../src/manager/health-poller.js';
import { ManualClock } from '../support/manual-clock.js';
import { createManager } from '../../src/manager/create-manager.js';
import { FakeBackend, FakeProber, createCapturingLogger, makeManagerConfig } from '../support/factories.js';

describe('boundReport', () => {
  it.each([
    { name: 'within capacity', report: { availableCapacity: 4, readyToClose: false }, want: { ok: true, clamped: false, available: 4 } },
    { name: 'above GAMESERVER_CAPACITY, no max', report: { availableCapacity: 1e15, readyToClose: false }, want: { ok: true, clamped: true, available: 10 } },
    { name: 'above GAMESERVER_CAPACITY, within its own max', report: { availableCapacity: 15, readyToClose: false, maxCapacity: 20 }, want: { ok: true, clamped: false, available: 15 } },
    { name: 'above its own max', report: { availableCapacity: 1e15, readyToClose: false, maxCapacity: 10 }, want: { ok: false } },
  ])('$name', ({ report, want }) => {
    const got = boundReport(report, 10);
    expect(got.ok).toBe(want.ok);
    if (got.ok) {
      expect(got.clamped).toBe(want.clamped);
      expect(got.report.availableCapacity).toBe(want.available);
    }
  });
});

describe('a lying heartbeat', () => {
  it('is clamped (logged once) so the fleet still sees its real free capacity', async () => {
    const clock = new ManualClock();
    const backend = new FakeBackend({ clock });
    const { logger, lines } = createCapturingLogger();
    const manager = createManager({ config: makeManagerConfig(), backend, prober: new FakeProber({ capacity: 10 }), clock, logger });
    const a = backend.add();
    await manager.start();
    for (let i = 0; i < 3; i++) manager.heartbeat(a.id, { availableCapacity: 1e15, readyToClose: false });
    expect(manager.status().free).toBe(10);
    manager.heartbeat(a.id, { availableCapacity: 1e15, readyToClose: false, maxCapacity: 10 });
    expect(manager.server(a.id)?.inRotation).toBe(false);
    await new Promise((r) => setImmediate(r));
    expect(lines.filter((l) => l.message === 'health report above capacity')).toHaveLength(1);
    await manager.close();
  });
});
