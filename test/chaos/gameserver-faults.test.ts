// A gameserver that crashes, hangs, answers garbage, answers slowly or resets connections: detected,
// never allocated once detected, stopped and replaced (reliability issue, item 2).
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { startSim, type GameserverPatch, type Sim } from '../../sim/index.js';
import { waitFor } from '../support/wait.js';
import { startInProcessFleet, type InProcessFleet } from './support/in-process.js';

let sim: Sim;
let fleet: InProcessFleet | null = null;
let trial = 0;

beforeAll(async () => {
  sim = await startSim({ launchLatencyMs: 90, stopLatencyMs: 60, throttling: false, defaultCapacity: 10 });
});
afterEach(async () => {
  await fleet?.close();
  fleet = null;
});
afterAll(async () => {
  await sim?.close();
});

type Fault = { name: string; inject: (taskId: string) => void };
const patch = (p: GameserverPatch) => (id: string) => void sim.admin.setGameserver(id, p);

const FAULTS: Fault[] = [
  { name: 'crashes (the task stops)', inject: (id) => void sim.admin.kill(id, 'Essential container in task exited') },
  { name: 'hangs (never answers)', inject: patch({ mode: 'hang' }) },
  { name: 'answers garbage', inject: patch({ mode: 'garbage' }) },
  { name: 'answers slower than HEALTH_TIMEOUT_MS', inject: patch({ mode: 'slow', slowMs: 1_000 }) },
  { name: 'resets connections', inject: patch({ mode: 'down' }) },
];

describe('gameserver faults', () => {
  it.each(FAULTS)('a gameserver that $name is detected, never allocated after, and replaced', async ({ inject }) => {
    const fleetId = `chaos-gs-${trial++}`;
    fleet = await startInProcessFleet(sim, fleetId, {
      scaling: { minServers: 2, maxServers: 6, sleepMs: 200, reservationTtlMs: 200 },
      health: { pollIntervalMs: 100, timeoutMs: 300, failThreshold: 3, startTimeoutMs: 10_000, resyncIntervalMs: 1_000 },
    });
    const { manager } = fleet;
    await waitFor(() => manager.servers().filter((s) => s.state === 'active').length >= 2, { timeoutMs: 8_000, what: 'two active servers' });
    const victim = manager.servers().find((s) => s.state === 'active')!;

    // Allocate all along and check each answer against the fleet's own view at that instant.
    let violations = 0;
    let handedToVictim = 0;
    const allocating = setInterval(() => {
      const view = manager.server(victim.id);
      const detected = !view || view.failures > 0 || view.state !== 'active';
      const a = manager.allocate();
      if (a.kind === 'server' && a.server.id === victim.id) {
        handedToVictim += 1;
        if (detected) violations += 1;
      }
    }, 2);
    try {
      await waitFor(() => handedToVictim > 0, { timeoutMs: 3_000, what: 'the victim in rotation before the fault' });
      inject(victim.id.split('/').pop()!);
      const injectedAt = Date.now();
      await waitFor(() => manager.server(victim.id)?.inRotation === false || !manager.server(victim.id), {
        timeoutMs: 2_000,
        intervalMs: 5,
        what: 'the victim out of rotation',
      });
      const outAfter = Date.now() - injectedAt;
      // Stopped and replaced: the victim's task is told to stop and two other servers are active.
      await waitFor(() => sim.admin.task(victim.id).desiredStatus === 'STOPPED', { timeoutMs: 5_000, what: 'the victim stopped' });
      await waitFor(() => manager.servers().filter((s) => s.id !== victim.id && s.state === 'active').length >= 2, {
        timeoutMs: 8_000,
        what: 'a replacement active',
      });
      expect(violations).toBe(0);
      // One poll interval plus the probe timeout, with scheduling slack.
      expect(outAfter).toBeLessThanOrEqual(100 + 300 + 400);
    } finally {
      clearInterval(allocating);
    }
  }, 20_000);
});
