// Push and pull: a gameserver's heartbeat and the manager's poll are both evidence of life, and
// the fresher one wins (the reliability issue, item 1).
import { describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../src/shared/log.js';
import { ManualClock } from '../support/manual-clock.js';
import { Manager } from '../../src/manager/manager.js';
import { createManager } from '../../src/manager/create-manager.js';
import { FakeBackend, FakeProber, makeHealthReport, makeManagerConfig } from '../support/factories.js';

async function activeManager() {
  const clock = new ManualClock();
  const backend = new FakeBackend({ clock });
  const server = backend.add({ status: 'running' });
  const prober = new FakeProber();
  const manager = createManager({
    // Margins that never scale, so only detection moves the server.
    config: makeManagerConfig({ scaling: { minServers: 0, upscaleMargin: 0, downscaleMargin: 1000 }, health: { failThreshold: 3 } }),
    backend,
    prober,
    clock,
    logger: createSilentLogger(),
  });
  await manager.runTick();
  await manager.runPolls();
  expect(manager.server(server.id)?.state).toBe('active');
  return { clock, prober, manager, id: server.id, host: server.host as string };
}

const inRotation = (m: Manager, id: string) => m.server(id)?.inRotation ?? false;

describe('heartbeats against polls', () => {
  it('a server whose polls fail but whose heartbeats are fresher stays in the fleet and back in rotation', async () => {
    const { clock, prober, manager, id, host } = await activeManager();
    prober.server(host).failure = 'health poll failed: ECONNREFUSED';
    // Ten poll intervals, far beyond the three strikes, with a heartbeat after every failed poll.
    for (let round = 0; round < 10; round++) {
      clock.advance(2_000);
      await manager.runPolls();
      expect(inRotation(manager, id)).toBe(false);
      clock.advance(500);
      expect(manager.heartbeat(id, makeHealthReport({ availableCapacity: 7 }))).toBe(true);
      expect(manager.server(id)).toMatchObject({ state: 'active', failures: 0, reportSource: 'heartbeat', inRotation: true });
    }
    const allocation = manager.allocate();
    expect(allocation.kind === 'server' && allocation.server.id).toBe(id);
  });

  it('a heartbeat older than a failed poll does not put the server back', async () => {
    const { clock, prober, manager, id, host } = await activeManager();
    clock.advance(500);
    manager.heartbeat(id, makeHealthReport());
    prober.server(host).failure = 'health poll timed out';
    clock.advance(1_000);
    await manager.runPolls();
    expect(manager.server(id)).toMatchObject({ failures: 1, inRotation: false });
    expect(manager.allocate().kind).not.toBe('server');
  });

  it('without fresher heartbeats, three failed polls make the server unhealthy', async () => {
    const { clock, prober, manager, id, host } = await activeManager();
    manager.heartbeat(id, makeHealthReport());
    prober.server(host).failure = 'health answered HTTP 500';
    for (let i = 0; i < 3; i++) {
      clock.advance(2_000);
      await manager.runPolls();
    }
    expect(manager.server(id)?.state).toBe('unhealthy');
    // Once unhealthy, a late heartbeat does not revive it: it is on its way to being replaced.
    clock.advance(100);
    manager.heartbeat(id, makeHealthReport());
    expect(manager.server(id)?.state).toBe('unhealthy');
    await manager.close();
  });

  it('a heartbeat for a server the fleet does not know is refused', async () => {
    const { manager } = await activeManager();
    expect(manager.heartbeat('arn:aws:ecs:us-east-1:123456789012:task/default/nope', makeHealthReport())).toBe(false);
  });
});
