// ECS answering 20 % ThrottlingException and 5 % ServerException (through a proxy in front of the
// simulator): allocations keep being served from memory, and the fleet still converges up and down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type Sim, type SimTaskView } from '../../sim/index.js';
import { stopAll } from '../support/processes.js';
import { waitFor } from '../support/wait.js';
import { startFaultProxy, type FaultProxy } from './support/fault-proxy.js';
import { ecsEnv, startManager, waitReady, type ManagerProcess } from './support/manager-process.js';

const FLEET = 'chaos-ecs-faults';
const UP = 4;
const DOWN = 18;
const MIN = 2;
const MAX = 8;
let sim: Sim;
let proxy: FaultProxy;
let manager: ManagerProcess;

beforeAll(async () => {
  sim = await startSim({ launchLatencyMs: 150, stopLatencyMs: 90, throttling: false, defaultCapacity: 10 });
  proxy = await startFaultProxy({ target: sim.url, throttleRate: 0.2, serverErrorRate: 0.05 });
  manager = await startManager({
    ...ecsEnv(proxy.url, FLEET),
    GAMESERVER_CAPACITY: '10',
    UPSCALE_MARGIN: String(UP),
    DOWNSCALE_MARGIN: String(DOWN),
    SCALE_IN_DELAY: '0',
    MIN_SERVERS: String(MIN),
    MAX_SERVERS: String(MAX),
    SLEEP_TIME: '0.2',
    POLL_INTERVAL: '0.1',
    HEALTH_TIMEOUT_MS: '500',
    RESYNC_INTERVAL: '1',
    RESERVATION_TTL: '5',
    // These clients never join the servers they are handed; a short grace lets their slots go soon.
    JOIN_GRACE: '0.5',
  });
  await waitReady(manager, 20_000);
}, 30_000);

afterAll(async () => {
  await stopAll();
  await proxy?.close();
  await sim?.close();
}, 30_000);

function liveTasks(): SimTaskView[] {
  return sim.admin.tasks().filter((t) => t.startedBy === FLEET && t.desiredStatus === 'RUNNING');
}

async function converged(): Promise<boolean> {
  const servers = await manager.servers();
  if (servers.some((s) => s.state !== 'active' && s.state !== 'standby')) return false;
  const active = servers.filter((s) => s.state === 'active');
  const free = active.reduce((n, s) => n + s.capacity.effective, 0);
  const inMargins = (free >= UP || active.length === MAX) && (free <= DOWN || active.length === MIN);
  return inMargins && liveTasks().length === servers.length;
}

describe('ECS throttling and server errors', () => {
  it('keeps serving allocations from memory while the fleet converges up and then down', async () => {
    await waitFor(converged, { timeoutMs: 20_000, intervalMs: 100, what: 'an initial fleet' });
    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    let running = true;
    // Four clients, each keeping its session id for a while (as a match runner retrying would).
    const clients = Array.from({ length: 4 }, async (_, c) => {
      for (let i = 0; running; i++) {
        const started = performance.now();
        const res = await fetch(`${manager.base}/available-server/?session=c${c}-${Math.floor(i / 50)}`, { signal: AbortSignal.timeout(3_000) });
        await res.arrayBuffer();
        latencies.push(performance.now() - started);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 10)); // pacing of a client, not a wait on a condition
      }
    });
    try {
      // Up: 35 sessions, placed on running tasks as room appears; the fleet must grow to keep UPSCALE_MARGIN free.
      let toPlace = 35;
      await waitFor(
        async () => {
          for (const t of liveTasks()) {
            const add = Math.min(toPlace, t.capacity - t.sessions);
            if (add > 0 && t.lastStatus === 'RUNNING' && !t.draining) {
              sim.admin.setGameserver(t.id, { sessions: t.sessions + add });
              toPlace -= add;
            }
          }
          return toPlace === 0 && liveTasks().length >= 4 && (await converged());
        },
        { timeoutMs: 30_000, intervalMs: 100, what: 'convergence up' },
      );
      // Down: the players leave; the fleet shrinks back through standby.
      for (const t of liveTasks()) if (t.sessions > 0) sim.admin.setGameserver(t.id, { sessions: 0 });
      await waitFor(async () => liveTasks().length <= 3 && (await converged()), { timeoutMs: 30_000, intervalMs: 100, what: 'convergence down' });
    } finally {
      running = false;
      await Promise.all(clients);
    }
    // Faults really happened, and they never reached the allocation path.
    const ecsCalls = proxy.counts.ecsCalls;
    expect(ecsCalls).toBeGreaterThan(20);
    expect(proxy.counts.throttled).toBeGreaterThanOrEqual(Math.floor(ecsCalls * 0.2) - 1);
    expect(proxy.counts.serverErrors).toBeGreaterThanOrEqual(Math.floor(ecsCalls * 0.05) - 1);
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(200);
    // 503 is the honest answer while every server is full and the new ones are starting; nothing else.
    expect([...statuses.keys()].filter((status) => status !== 200 && status !== 503)).toEqual([]);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(100);
    latencies.sort((a, b) => a - b);
    expect(latencies[Math.floor(latencies.length * 0.99)]).toBeLessThan(100);
    // The manager noticed the failed calls (retried, or skipped a tick) instead of crashing.
    expect(manager.proc.child.exitCode).toBeNull();
  }, 90_000);
});
