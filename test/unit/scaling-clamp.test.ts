// A launch that MAX_SERVERS forbids entirely is reported, not acted on: one line when the clamp starts, one when it
// ends, a gauge, and no "scaling decision" line or wake per tick.
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../support/manual-clock.js';
import { Manager } from '../../src/manager/manager.js';
import { createManager } from '../../src/manager/create-manager.js';
import { blockedLaunch, isAction, type Decision } from '../../src/manager/policy.js';
import { FakeBackend, FakeProber, createCapturingLogger, makeManagerConfig } from '../support/factories.js';

const managers: Manager[] = [];
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

describe('isAction and blockedLaunch', () => {
  const rows: Array<{ name: string; d: Decision; action: boolean; blocked: boolean }> = [
    { name: 'a launch of 2', d: { kind: 'launch', count: 2, reason: 'r', free: 0 }, action: true, blocked: false },
    { name: 'a launch capped by the per-tick cap', d: { kind: 'launch', count: 1, reason: 'r', free: 0, clampedBy: 'launch_cap' }, action: true, blocked: false },
    { name: 'a launch clamped to 0 by MAX_SERVERS', d: { kind: 'launch', count: 0, reason: 'r', free: 0, clampedBy: 'max_servers' }, action: false, blocked: true },
    { name: 'a standby', d: { kind: 'standby', serverId: 's', reason: 'r', free: 9 }, action: true, blocked: false },
    { name: 'a stop', d: { kind: 'stop', serverId: 's', reason: 'r' }, action: true, blocked: false },
  ];
  it.each(rows)('$name', ({ d, action, blocked }) => {
    expect(isAction(d)).toBe(action);
    expect(blockedLaunch([d]) !== undefined).toBe(blocked);
  });
});

describe('the reconciler at MAX_SERVERS', () => {
  it('logs the clamp once when it starts and once when it ends, sets the gauge, and acts on nothing meanwhile', async () => {
    const clock = new ManualClock();
    const backend = new FakeBackend({ clock });
    const prober = new FakeProber({ capacity: 10 });
    const { logger, lines } = createCapturingLogger();
    const manager = createManager({
      config: makeManagerConfig({ scaling: { upscaleMargin: 5, downscaleMargin: 20, maxServers: 1, minServers: 1 } }),
      backend,
      prober,
      clock,
      logger,
    });
    managers.push(manager);
    const gauge = async () => (await manager.metrics.registry.getSingleMetric('arbiter_scaling_clamped')!.get()).values[0]?.value;
    const count = (message: string) => lines.filter((l) => l.message === message).length;

    await manager.runTick();
    await manager.runPolls();
    expect(backend.launches).toEqual([1]);
    expect(await gauge()).toBe(0);
    const host = backend.live()[0]!.host as string;

    // 8 of 10 seats in use: free 2 < margin 5, and MAX_SERVERS=1 leaves no room to launch.
    prober.server(host).sessions = 8;
    await manager.runPolls();
    const decisionsBefore = count('scaling decision');
    for (let i = 0; i < 5; i++) {
      await manager.runTick();
      clock.advance(1_000);
    }
    expect(count('scaling clamped at MAX_SERVERS')).toBe(1);
    expect(count('scaling decision')).toBe(decisionsBefore);
    expect(await gauge()).toBe(1);
    expect(backend.launches).toEqual([1]);
    expect(manager.status().free).toBe(2);

    prober.server(host).sessions = 0;
    await manager.runPolls();
    await manager.runTick();
    await manager.runTick();
    expect(count('scaling clamp ended')).toBe(1);
    expect(count('scaling clamped at MAX_SERVERS')).toBe(1);
    expect(await gauge()).toBe(0);
  });
});
