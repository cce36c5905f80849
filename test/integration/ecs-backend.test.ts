// EcsBackend alone against the simulator, through the real SDK: addresses in both networking modes,
// durable standby, stops, refresh() and a list() that one bad task cannot spoil.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EcsBackend } from '../../src/aws/ecs-backend.js';
import type { BackendServer } from '../../src/manager/types.js';
import { startSim, type Sim } from '../../sim/index.js';
import { waitFor } from '../support/wait.js';
import { SimBackends, simEcsConfig } from './backend-contract-sim.js';
import { ecsStats } from '../support/ecs-stats.js';

let sim: Sim;
let backends: SimBackends;

beforeEach(async () => {
  sim = await startSim({ port: 0, launchLatencyMs: 60, stopLatencyMs: 30, instanceJoinLatencyMs: 30, throttling: false });
  backends = new SimBackends(sim);
});

afterEach(async () => {
  await backends?.close();
  await sim?.close();
});

async function runningServers(backend: EcsBackend, count: number): Promise<BackendServer[]> {
  return waitFor(
    async () => {
      const servers = (await backend.list()).filter((s) => s.status === 'running' && s.host !== null && s.ports !== null);
      return servers.length === count ? servers : null;
    },
    { what: `${count} running servers with addresses` },
  );
}

async function health(server: BackendServer): Promise<unknown> {
  const res = await fetch(`http://${server.host}:${server.ports?.health}/health/`);
  expect(res.status).toBe(200);
  return res.json();
}

describe('EcsBackend against the simulator', () => {
  it('awsvpc: launched tasks are listed running at their ENI public address and answer /health/', async () => {
    const backend = backends.make();
    const result = await backend.launch(3, ['fleet-it-alpha', 'fleet-it-bravo', 'fleet-it-charlie']);
    expect(result.failures).toEqual([]);
    expect(result.launched).toHaveLength(3);
    expect(result.launched.every((s) => s.status === 'starting')).toBe(true);
    const servers = await runningServers(backend, 3);
    expect(new Set(servers.map((s) => s.host)).size).toBe(3);
    for (const s of servers) {
      expect(s.host?.startsWith(`${sim.options.ipBase}.`)).toBe(true);
      expect(s.ports).toEqual({ game: 3000, web: 3080, health: 3080 });
      expect(s.name).toMatch(/^fleet-it-(alpha|bravo|charlie)$/);
      expect(await health(s)).toMatchObject({ available_capacity: 10, ready_to_close: false });
    }
    const tasks = sim.admin.tasks();
    expect(tasks.every((t) => t.startedBy === 'fleet-it' && t.tags['arbiter:fleet'] === 'fleet-it')).toBe(true);
  });

  it('bridge: tasks on container instances are reached at the instance address and their host ports', async () => {
    await backends.registerBridgeDefinition();
    const instanceIds = await backends.addInstances(2);
    const backend = backends.make({ ecs: simEcsConfig({ launchType: 'EC2', networkMode: 'bridge', subnets: [] }) });
    const result = await backend.launch(2);
    expect(result.failures).toEqual([]);
    const servers = await runningServers(backend, 2);
    const instanceIps = new Set(sim.admin.instances().filter((i) => instanceIds.includes(i.instanceId)).map((i) => i.publicIp));
    for (const s of servers) {
      expect(instanceIps.has(s.host ?? '')).toBe(true);
      expect(s.ports?.health).toBe(s.ports?.web);
      expect(s.ports?.game).not.toBe(3000);
      const view = sim.admin.task(s.id);
      expect(s.ports).toMatchObject({ game: view.ports.game, web: view.ports.web });
      expect(await health(s)).toMatchObject({ available_capacity: 10 });
    }
  });

  it('keeps the standby mark as a task tag that a fresh EcsBackend reads back', async () => {
    const first = backends.make();
    const { launched } = await first.launch(2);
    const [a, b] = launched.map((s) => s.id);
    await first.markStandby(a!, true);
    expect(sim.admin.task(a!).tags['arbiter:standby']).toBe('true');
    const second = backends.make();
    const seen = await second.list();
    expect(seen.find((s) => s.id === a)?.standby).toBe(true);
    expect(seen.find((s) => s.id === b)?.standby).toBe(false);
    await second.markStandby(a!, false);
    expect(sim.admin.task(a!).tags['arbiter:standby']).toBeUndefined();
    expect((await backends.make().list()).find((s) => s.id === a)?.standby).toBe(false);
  });

  it('stops a task with its reason; stopping it again or an unknown task is not an error', async () => {
    const backend = backends.make();
    const { launched } = await backend.launch(1);
    const [server] = await runningServers(backend, 1);
    expect(server?.id).toBe(launched[0]?.id);
    await backend.stop(server!.id, 'scale in');
    const stopped = await waitFor(async () => (await backend.list()).find((s) => s.id === server!.id && s.status === 'stopped'), {
      what: 'task stopped',
    });
    expect(stopped.stoppedReason).toBe('scale in');
    await expect(fetch(`http://${server!.host}:${server!.ports?.health}/health/`)).rejects.toThrow();
    await backend.stop(server!.id, 'again');
    await backend.stop('arn:aws:ecs:us-east-1:123456789012:task/default/00000000000000000000000000000000', 'never existed');
    expect((await ecsStats(backend)).stopped).toBeGreaterThanOrEqual(1);
  });

  it('refresh() describes known tasks only: gone tasks come back stopped, addresses appear, kills show', async () => {
    const backend = backends.make();
    const { launched } = await backend.launch(2);
    const [a, b] = launched.map((s) => s.id) as [string, string];
    const unknown = 'arn:aws:ecs:us-east-1:123456789012:task/default/0123456789abcdef0123456789abcdef';
    sim.admin.resetCounters();
    const refreshed = await waitFor(async () => {
      const servers = await backend.refresh([a, b, unknown]);
      return servers.filter((s) => s.status === 'running' && s.host !== null).length === 2 ? servers : null;
    }, { what: 'both running with addresses' });
    expect(refreshed.find((s) => s.id === unknown)).toMatchObject({ status: 'stopped', host: null });
    const calls = sim.admin.calls().calls;
    expect(calls['ListTasks'] ?? 0).toBe(0);
    expect(calls['DescribeTasks']).toBeGreaterThan(0);

    sim.admin.kill(a, 'Essential container in task exited');
    const afterKill = await waitFor(async () => (await backend.refresh([a, b])).find((s) => s.id === a && s.status === 'stopped'), {
      what: 'killed task stopped',
    });
    expect(afterKill.stoppedReason).toBe('Essential container in task exited');
  });

  it('refresh() of more than 100 ids asks DescribeTasks in chunks of 100', async () => {
    const backend = backends.make();
    const ids = Array.from({ length: 150 }, (_, i) => `arn:aws:ecs:us-east-1:123456789012:task/default/${i.toString(16).padStart(32, '0')}`);
    sim.admin.resetCounters();
    const servers = await backend.refresh(ids);
    expect(servers).toHaveLength(150);
    expect(servers.every((s) => s.status === 'stopped')).toBe(true);
    expect(sim.admin.calls().calls['DescribeTasks']).toBe(2);
  });

  it('one bad task does not spoil list(): a task of ours with no container instance only loses its own address', async () => {
    await backends.registerBridgeDefinition('BridgeGameserver');
    await backends.addInstances(1);
    const backend = backends.make({ ecs: simEcsConfig({ launchType: 'EC2', networkMode: 'bridge', subnets: [], taskDefinition: 'BridgeGameserver' }) });
    await backend.launch(1);
    // Started by hand with our startedBy, on Fargate: no container instance, so no bridge address.
    const [stray] = sim.admin.createTasks({ startedBy: 'fleet-it', count: 1 });
    sim.admin.createTasks({ startedBy: 'someone-else', count: 1 });
    const servers = await waitFor(async () => {
      const list = await backend.list();
      return list.filter((s) => s.status === 'running').length === 2 ? list : null;
    }, { what: 'both running' });
    expect(servers).toHaveLength(2);
    expect(servers.find((s) => s.id === stray?.arn)).toMatchObject({ host: null, ports: null });
    expect(servers.find((s) => s.id !== stray?.arn)?.host).not.toBeNull();
  });
});
