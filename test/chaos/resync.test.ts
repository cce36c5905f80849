// Tasks started or stopped behind the manager's back: strays of our fleet are adopted within
// RESYNC_INTERVAL, other fleets' tasks are ignored, and a task ECS reports STOPPED leaves the fleet
// at the next tick with ECS's stoppedReason logged.
import { StopTaskCommand } from '@aws-sdk/client-ecs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type Sim } from '../../sim/index.js';
import { createSimClients, type SimClients } from '../../sim/sdk-clients.js';
import { waitFor } from '../support/wait.js';
import { startInProcessFleet, type InProcessFleet } from './support/in-process.js';

const RESYNC_MS = 1_000;
const SLEEP_MS = 200;
let sim: Sim;
let clients: SimClients;
let fleet: InProcessFleet | null = null;
let n = 0;

beforeAll(async () => {
  sim = await startSim({ launchLatencyMs: 60, stopLatencyMs: 60, throttling: false });
  clients = createSimClients(sim);
});
afterEach(async () => {
  await fleet?.close();
  fleet = null;
});
afterAll(async () => {
  clients?.destroy();
  await sim?.close();
});

async function startFleet(fleetId: string): Promise<InProcessFleet> {
  fleet = await startInProcessFleet(sim, fleetId, {
    // Margins wide enough that the policy neither launches nor stands down during the test.
    scaling: { minServers: 1, maxServers: 10, upscaleMargin: 0, downscaleMargin: 1_000, sleepMs: SLEEP_MS },
    health: { pollIntervalMs: 100, timeoutMs: 300, resyncIntervalMs: RESYNC_MS },
  });
  const { manager } = fleet;
  await waitFor(() => manager.servers().some((s) => s.state === 'active'), { timeoutMs: 5_000, what: 'a first active server' });
  return fleet;
}

describe('resync with ECS', () => {
  it('adopts a stray task of its own fleet within RESYNC_INTERVAL and ignores another fleet', async () => {
    const fleetId = `chaos-resync-${n++}`;
    const { manager, capture } = await startFleet(fleetId);
    const [stray] = sim.admin.createTasks({ startedBy: fleetId });
    const [foreign] = sim.admin.createTasks({ startedBy: `other-${fleetId}` });
    const startedAt = Date.now();
    await waitFor(() => manager.server(stray!.arn), { timeoutMs: RESYNC_MS + 2 * SLEEP_MS + 1_000, intervalMs: 10, what: 'the stray adopted' });
    expect(Date.now() - startedAt).toBeLessThanOrEqual(RESYNC_MS + 2 * SLEEP_MS + 500);
    expect(capture.find('server discovered', stray!.arn)).toHaveLength(1);
    // Adopted as a real member: polled and put in rotation.
    await waitFor(() => manager.server(stray!.arn)?.state === 'active', { timeoutMs: 3_000, what: 'the stray active' });
    // Two more full resyncs (each lists RUNNING and STOPPED tasks): the other fleet's task never shows.
    const lists = () => sim.admin.calls().calls['ListTasks'] ?? 0;
    const listed = lists();
    await waitFor(() => lists() >= listed + 4, { timeoutMs: 3 * RESYNC_MS + 1_000, what: 'two more resyncs' });
    expect(manager.server(foreign!.arn)).toBeUndefined();
    expect(manager.servers().map((s) => s.id)).not.toContain(foreign!.arn);
  });

  it('a task stopped behind its back leaves the fleet at the next tick with its stoppedReason logged', async () => {
    const fleetId = `chaos-resync-${n++}`;
    const { manager, capture } = await startFleet(fleetId);
    const victim = manager.servers().find((s) => s.state === 'active')!;
    await clients.ecs.send(new StopTaskCommand({ cluster: 'default', task: victim.id, reason: 'Stopped by an operator in the console' }));
    await waitFor(() => sim.admin.task(victim.id).lastStatus === 'STOPPED', { timeoutMs: 3_000, intervalMs: 5, what: 'ECS says STOPPED' });
    const stoppedAt = Date.now();
    const gone = await waitFor(() => capture.find('server gone', victim.id)[0], { timeoutMs: 3_000, intervalMs: 5, what: 'server gone' });
    expect(gone.at - stoppedAt).toBeLessThanOrEqual(SLEEP_MS + 300);
    expect(gone.fields.reason).toBe('Stopped by an operator in the console');
    expect(manager.server(victim.id)).toBeUndefined();
    // MIN_SERVERS is kept: the policy replaces it.
    await waitFor(() => manager.servers().some((s) => s.state === 'active'), { timeoutMs: 5_000, what: 'a replacement' });
  });
});
