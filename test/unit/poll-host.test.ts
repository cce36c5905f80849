import { describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../src/shared/log.js';
import { ManualClock } from '../support/manual-clock.js';
import { createManager } from '../../src/manager/create-manager.js';
import { FakeBackend, FakeProber, makeManagerConfig } from '../support/factories.js';

describe('poll address', () => {
  it('polls and drains a server at its poll address while handing out its public one', async () => {
    const clock = new ManualClock();
    const backend = new FakeBackend({ clock });
    backend.add({ host: '54.0.0.1', pollHost: '10.0.0.9' });
    backend.add({ host: '54.0.0.2', pollHost: '10.0.0.10' });
    const prober = new FakeProber({ capacity: 10 });
    const config = makeManagerConfig({ scaling: { minServers: 1, upscaleMargin: 4, downscaleMargin: 15 } });
    const manager = createManager({ config, backend, prober, clock, logger: createSilentLogger() });
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
    const manager = createManager({ config: makeManagerConfig(), backend, prober, clock, logger: createSilentLogger() });
    try {
      await manager.start();
      expect(prober.probes.map((p) => p.host)).toEqual(['54.0.0.3']);
    } finally {
      await manager.close();
    }
  });
});

describe('operator drain', () => {
  it('keeps a drained server with players on standby through a tick that needs capacity, until undrained', async () => {
    const clock = new ManualClock();
    const backend = new FakeBackend({ clock, launchStatus: 'running' });
    const only = backend.add({ host: '10.1.0.1' });
    const prober = new FakeProber({ capacity: 10 });
    const config = makeManagerConfig({ scaling: { minServers: 0, maxServers: 5, upscaleMargin: 4, downscaleMargin: 18 } });
    const manager = createManager({ config, backend, prober, clock, logger: createSilentLogger() });
    try {
      // Players on it: a drained server that is empty would be stopped, which is what drain is for.
      prober.server('10.1.0.1').sessions = 2;
      await manager.start();
      expect(manager.drain(only.id).ok).toBe(true);
      await manager.settle();
      await manager.runPolls();
      await manager.runTick();
      await manager.settle();
      // Free capacity fell to 0: the policy launches rather than undo the operator's drain.
      expect(manager.server(only.id)?.state).toBe('standby');
      expect(backend.launches).toEqual([1]);
      expect(manager.undrain(only.id).ok).toBe(true);
      expect(manager.server(only.id)?.state).toBe('active');
    } finally {
      await manager.close();
    }
  });
});
