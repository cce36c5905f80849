import { describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../src/log.js';
import { ManualClock } from '../../src/manager/clock.js';
import { Manager } from '../../src/manager/manager.js';
import { FakeBackend, FakeProber, makeManagerConfig } from '../support/factories.js';

describe('poll address', () => {
  it('polls and drains a server at its poll address while handing out its public one', async () => {
    const clock = new ManualClock();
    const backend = new FakeBackend({ clock });
    backend.add({ host: '54.0.0.1', pollHost: '10.0.0.9' });
    backend.add({ host: '54.0.0.2', pollHost: '10.0.0.10' });
    const prober = new FakeProber({ capacity: 10 });
    const config = makeManagerConfig({ scaling: { minServers: 1, upscaleMargin: 4, downscaleMargin: 15 } });
    const manager = new Manager({ config, backend, prober, clock, logger: createSilentLogger() });
    try {
      await manager.start();
      expect(new Set(prober.probes.map((p) => p.host))).toEqual(new Set(['10.0.0.9', '10.0.0.10']));
      const allocation = manager.allocate();
      expect(allocation.kind).toBe('server');
      if (allocation.kind === 'server') expect(allocation.server.host).toMatch(/^54\.0\.0\.[12]$/);

      // 20 free > 15: one server goes to standby, and its drain call goes to the poll address too.
      await manager.runTick();
      await manager.settle();
      expect(prober.drainCalls.map((c) => c.host)).toEqual([expect.stringMatching(/^10\.0\.0\.(9|10)$/)]);
    } finally {
      await manager.close();
    }
  });

  it('falls back to the public host when the backend gives no poll address', async () => {
    const clock = new ManualClock();
    const backend = new FakeBackend({ clock });
    backend.add({ host: '54.0.0.3' });
    const prober = new FakeProber();
    const manager = new Manager({ config: makeManagerConfig(), backend, prober, clock, logger: createSilentLogger() });
    try {
      await manager.start();
      expect(prober.probes.map((p) => p.host)).toEqual(['54.0.0.3']);
    } finally {
      await manager.close();
    }
  });
});
