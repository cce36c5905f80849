// A real Manager over the ECS backend over the simulator, driven one tick at a time: scale up and
// down through standby, restart, RunTask failures, killed tasks, EC2 launch-template mode, throttling.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSim, type Sim, type SimOptions, type SimTaskView } from '../../sim/index.js';
import { waitFor } from '../support/wait.js';
import { makeSimManager, seedEc2Config, SimBackends, type SimManager } from './backend-contract-sim.js';
import { ecsStats } from '../support/ecs-stats.js';

const FLEET = 'fleet-it';
let sim: Sim | null = null;
let backends: SimBackends | null = null;
const managers: SimManager[] = [];

async function boot(options: SimOptions = {}): Promise<SimBackends> {
  sim = await startSim({ port: 0, launchLatencyMs: 60, stopLatencyMs: 30, instanceJoinLatencyMs: 30, throttling: false, ...options });
  backends = new SimBackends(sim);
  return backends;
}

function manage(...args: Parameters<typeof makeSimManager>): SimManager {
  const m = makeSimManager(...args);
  managers.push(m);
  return m;
}

afterEach(async () => {
  await Promise.allSettled(managers.splice(0).map((m) => m.close()));
  await backends?.close();
  await sim?.close();
  backends = null;
  sim = null;
});

/** Our tasks in the sim that are meant to run. */
function live(): SimTaskView[] {
  return (sim as Sim).admin.tasks().filter((t) => t.startedBy === FLEET && t.desiredStatus === 'RUNNING');
}

function calls(action: string): number {
  return (sim as Sim).admin.calls().calls[action] ?? 0;
}

function states(m: SimManager): string[] {
  return m.manager.servers().map((s) => s.state).sort();
}

function allActive(m: SimManager, n: number): boolean {
  const servers = m.manager.servers();
  return servers.length === n && servers.every((s) => s.state === 'active');
}

describe('Manager + EcsBackend + simulator', () => {
  beforeEach(async () => {
    await boot();
  });

  it('scales up to the margin, further under sessions, and down through standby to StopTask', async () => {
    const m = manage(backends as SimBackends);
    await m.until(() => allActive(m, 1), 'one active server');
    expect(live()).toHaveLength(1);

    // 8 sessions on the only server: 2 free < 4, so one more is launched.
    sim!.admin.setGameserver(live()[0]!.id, { sessions: 8 });
    await m.until(() => allActive(m, 2), 'two active servers');
    expect(live()).toHaveLength(2);

    // Sessions end: 20 free > 18, the emptiest goes to standby, drains, is ready to close, and is stopped.
    const busyId = live().find((t) => t.sessions === 8)!.arn;
    sim!.admin.setGameserver(busyId, { sessions: 0 });
    const standby = await m.until(() => m.manager.servers().find((s) => s.state === 'standby'), 'a standby server');
    expect(sim!.admin.task(standby.id).tags['arbiter:standby']).toBe('true');
    await m.until(() => sim!.admin.task(standby.id).lastStatus === 'STOPPED', 'standby task stopped');
    expect(sim!.admin.task(standby.id).stoppedReason).toBe('standby and ready to close');
    await m.until(() => allActive(m, 1), 'one active server left');
    expect(live()).toHaveLength(1);
  });

  it('a restarted manager rebuilds the same fleet, standby included, and launches nothing', async () => {
    const first = manage(backends as SimBackends);
    await first.until(() => first.manager.servers().length === 1, 'first launch');
    sim!.admin.setGameserver(live()[0]!.id, { sessions: 9 });
    await first.until(() => allActive(first, 2), 'two active servers');
    sim!.admin.setGameserver(live().find((t) => t.sessions === 0)!.id, { sessions: 9 });
    await first.until(() => allActive(first, 3), 'three active servers');
    // One session each: 27 free > 18, so one server goes to standby, but it holds a session and stays.
    for (const t of live()) sim!.admin.setGameserver(t.id, { sessions: 1 });
    const standby = await first.until(() => first.manager.servers().find((s) => s.state === 'standby'), 'a standby server');
    await first.step();
    await first.step();
    expect(states(first)).toEqual(['active', 'active', 'standby']);
    const before = first.manager.servers().map((s) => s.id).sort();
    await first.close();

    sim!.admin.resetCounters();
    const second = manage(backends as SimBackends);
    await second.until(() => second.manager.servers().filter((s) => s.state !== 'pending').length === 3, 'fleet rebuilt');
    await second.step();
    await second.step();
    expect(second.manager.servers().map((s) => s.id).sort()).toEqual(before);
    expect(second.manager.server(standby.id)?.state).toBe('standby');
    expect(states(second)).toEqual(['active', 'active', 'standby']);
    expect(calls('RunTask')).toBe(0);
    expect(calls('StopTask')).toBe(0);
    expect(calls('ListTasks')).toBeGreaterThan(0);
  });

  it('RunTask failures[] are counted and backed off; the fleet converges once they stop', async () => {
    sim!.admin.setFaults({ runTaskFailures: { reason: 'RESOURCE:MEMORY', remaining: 2 } });
    const m = manage(backends as SimBackends, {}, { backoff: { baseMs: 300, maxMs: 600 } });
    await m.step();
    expect(m.manager.servers()).toHaveLength(0);
    expect(calls('RunTask')).toBe(1);
    // Within the back-off, ticks do not call RunTask at all.
    await m.step();
    expect(calls('RunTask')).toBe(1);
    expect((await ecsStats(m.backend)).backoffRejections).toBeGreaterThan(0);
    await m.until(() => allActive(m, 1), 'one active server after the failures');
    expect((await ecsStats(m.backend)).failuresByReason['RESOURCE:MEMORY']).toBe(2);
    expect(calls('RunTask')).toBe(3);
    const metrics = await m.manager.metrics.registry.metrics();
    expect(metrics).toMatch(/reason="RESOURCE:MEMORY"\} 2/);
  });

  it('a task killed in the sim leaves the fleet at the tick after its failed poll and is replaced', async () => {
    const m = manage(backends as SimBackends);
    await m.until(() => allActive(m, 1), 'one active server');
    const victim = live()[0]!;
    sim!.admin.kill(victim.id, 'Essential container in task exited');
    await waitFor(() => sim!.admin.task(victim.id).lastStatus === 'STOPPED', { what: 'victim stopped' });
    const runTasks = calls('RunTask');
    // Steady ticks ask ECS about no task that answers its polls: the failed poll is what tells.
    await m.manager.runPolls();
    await m.step();
    expect(m.manager.server(victim.arn)).toBeUndefined();
    expect(calls('RunTask')).toBe(runTasks + 1);
    await m.until(() => allActive(m, 1) && live().length === 1 && live()[0]!.arn !== victim.arn, 'a replacement');
  });
});

describe('EC2 launch-template mode (the seed\'s: defaultECS, bridge)', () => {
  it('scales up and down with no leaked instance', async () => {
    const b = await boot();
    await b.registerBridgeDefinition();
    const m = manage(b, {}, { ecs: seedEc2Config(), instances: { joinDeadlineMs: 10_000, idleGraceMs: 60_000 } });
    await m.until(() => allActive(m, 1), 'one active server on its own instance', 20_000);
    sim!.admin.setGameserver(live()[0]!.id, { sessions: 8 });
    await m.until(() => allActive(m, 2), 'two active servers', 20_000);
    const running = () => sim!.admin.instances().filter((i) => i.state === 'running' || i.state === 'pending');
    expect(running()).toHaveLength(2);
    expect(running().every((i) => i.runningTasks === 1)).toBe(true);
    const ports = m.manager.servers().map((s) => s.ports?.game);
    expect(ports.every((p) => p !== undefined && p !== 3000)).toBe(true);

    sim!.admin.setGameserver(live().find((t) => t.sessions === 8)!.id, { sessions: 0 });
    await m.until(() => allActive(m, 1) && live().length === 1, 'scaled in to one', 20_000);
    await m.until(() => running().length === 1, 'the freed instance terminated', 20_000);
    const ours = new Set(live().map((t) => t.ec2InstanceId));
    expect(running().every((i) => ours.has(i.instanceId))).toBe(true);
    expect(sim!.admin.instances().filter((i) => i.state === 'terminated' || i.state === 'shutting-down')).toHaveLength(1);
    // One instance per server launched, none twice: the placeholder handed over to its task.
    expect(calls('RunInstances')).toBe(2);
    expect(calls('RunTask')).toBe(2);
  });
});

describe('throttling', () => {
  it('a scale-up to 60 servers and back never draws a ThrottlingException', async () => {
    const b = await boot({ throttling: true, launchLatencyMs: 150 });
    // Margins that hold 60 servers (600 free), then a second manager with the seed's margins scales in.
    const up = manage(b, { scaling: { upscaleMargin: 591, downscaleMargin: 602, maxServers: 60, maxLaunchPerTick: 60 } });
    await up.until(() => allActive(up, 60), '60 active servers', 30_000);
    await up.close();
    const down = manage(b, { scaling: { maxServers: 60 } });
    await down.until(() => live().length === 1 && allActive(down, 1), 'back to one server', 40_000);
    const res = await fetch(`${sim!.url}/_sim/calls`);
    const counters = (await res.json()) as { calls: Record<string, number>; throttled: Record<string, number> };
    // one RunTask per server: each call carries that server's name tag (a call sets one tag set for all it starts)
    expect(counters.calls['RunTask']).toBe(60);
    expect(counters.calls['TagResource']).toBeGreaterThanOrEqual(59);
    expect(counters.calls['StopTask']).toBeGreaterThanOrEqual(59);
    expect(Object.values(counters.throttled).reduce((a, n) => a + n, 0)).toBe(0);
  }, 60_000);
});
