// ECS reads cost the whole account (§4): a steady tick asks ECS nothing, and a resync lists the
// tasks and describes only those it does not know yet.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSim, type Sim } from '../../sim/index.js';
import { makeSimManager, SimBackends, type SimManager } from './backend-contract-sim.js';

let sim: Sim | null = null;
let backends: SimBackends | null = null;
const managers: SimManager[] = [];

beforeEach(async () => {
  sim = await startSim({ port: 0, launchLatencyMs: 30, stopLatencyMs: 30, throttling: false });
  backends = new SimBackends(sim);
});

afterEach(async () => {
  await Promise.allSettled(managers.splice(0).map((m) => m.close()));
  await backends?.close();
  await sim?.close();
  backends = null;
  sim = null;
});

function calls(): Record<string, number> {
  return { ...(sim as Sim).admin.calls().calls };
}

function delta(before: Record<string, number>, action: string): number {
  return ((sim as Sim).admin.calls().calls[action] ?? 0) - (before[action] ?? 0);
}

/** A manager holding three active servers, nothing left to do. */
async function steadyManager(resyncIntervalMs: number): Promise<SimManager> {
  const m = makeSimManager(backends as SimBackends, { scaling: { minServers: 3 }, health: { resyncIntervalMs } });
  managers.push(m);
  await m.until(() => m.manager.servers().length === 3 && m.manager.servers().every((s) => s.state === 'active'), 'three active servers');
  return m;
}

describe('ECS reads on a steady fleet', () => {
  it('a steady tick makes no ECS call at all', async () => {
    const m = await steadyManager(3_600_000);
    const before = calls();
    for (let i = 0; i < 3; i++) await m.step();
    const after = calls();
    const made = Object.keys(after).filter((action) => (after[action] ?? 0) !== (before[action] ?? 0));
    expect(made).toEqual([]);
    expect(m.manager.servers().every((s) => s.state === 'active')).toBe(true);
  });

  it('a resync lists running and stopped tasks and describes none it already knows', async () => {
    const m = await steadyManager(1);
    await m.step();
    const before = calls();
    await m.manager.runTick();
    expect(delta(before, 'ListTasks')).toBe(2);
    expect(delta(before, 'DescribeTasks')).toBe(0);
    expect(m.manager.servers()).toHaveLength(3);
  });

  it('a task stopped behind the manager is found by the resync', async () => {
    const m = await steadyManager(1);
    const victim = m.manager.servers()[0]!;
    (sim as Sim).admin.kill(victim.id);
    await m.until(() => m.manager.server(victim.id) === undefined, 'the stopped task leaves the fleet');
  });
});
