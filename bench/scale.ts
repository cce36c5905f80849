// Fleet size: allocate() at 100 vs 10,000 servers (the index, against the full scan it replaced),
// and the real Manager in ECS mode over the simulator at two sizes: time to ready, poll round, steady
// tick, resync, ECS calls per tick and per resync (against describing every known task), RSS.
import { createSilentLogger } from '../src/log.js';
import { scanFleet } from '../src/manager/allocator.js';
import { Fleet } from '../src/manager/fleet.js';
import { systemClock, type ManualClock } from '../src/manager/clock.js';
import { Manager } from '../src/manager/manager.js';
import { HttpProber } from '../src/manager/prober.js';
import { ReservationBook } from '../src/manager/reservations.js';
import { startSim } from '../sim/index.js';
import { createSimClients } from '../sim/sdk-clients.js';
import { makeManagerConfig } from '../test/support/factories.js';
import { waitFor } from '../test/support/wait.js';
import { startFakeFleet } from './fake-fleet.js';
import { median, row, type Benchmark, type BenchRow } from './harness.js';
import { simBackend, stopSim } from './sim-helpers.js';

const SMALL = 100;
const LARGE = 10_000;
const PER_ROUND = 5_000;
const ROUNDS = 7;
/** Simulator sizes: the simulator and the manager share this process and its 20,000 open files. */
const SIM_SIZES = [1_000, 4_000];
const FLEET = 'bench-scale';

/** Mean µs per allocate() over alternating rounds, each after a fresh poll (TTL passed) so no round runs dry. */
async function allocationCost(): Promise<{ small: number; large: number; scanLarge: number }> {
  const ttl = 30_000;
  const make = (servers: number) => startFakeFleet({ servers, capacity: 100_000, busyFraction: 0, reservationTtlMs: ttl });
  const small = await make(SMALL);
  const large = await make(LARGE);
  try {
    const round = async (f: typeof small): Promise<number> => {
      const t0 = performance.now();
      for (let i = 0; i < PER_ROUND; i++) if (f.manager.allocate().kind !== 'server') throw new Error('scale: allocation ran out of room');
      const us = ((performance.now() - t0) * 1000) / PER_ROUND;
      (f.clock as ManualClock).advance(ttl + 1);
      await f.manager.runTick();
      await f.manager.runPolls();
      return us;
    };
    await round(small);
    await round(large);
    const s: number[] = [];
    const l: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      s.push(await round(small));
      l.push(await round(large));
    }
    // The full scan the index replaced, over a fleet of the same size (what allocate() used to do).
    const fleet = new Fleet({ failThreshold: 3, listingGraceMs: 60_000 });
    const book = new ReservationBook(ttl);
    fleet.applyObservation(
      Array.from({ length: LARGE }, (_, i) => ({
        id: `s${i}`,
        name: `s${i}`,
        host: '127.0.0.1',
        ports: { game: 1, web: 2, health: 2 },
        status: 'running' as const,
        standby: false,
        launchedAt: 0,
      })),
      0,
      true,
    );
    for (let i = 0; i < LARGE; i++) fleet.applyReport(`s${i}`, { availableCapacity: 1 + (i % 10), readyToClose: false }, 0, 0, 'poll');
    const t0 = performance.now();
    const SCANS = 200;
    for (let i = 0; i < SCANS; i++) scanFleet(fleet, book, 'packed', 1);
    const scanLarge = ((performance.now() - t0) * 1000) / SCANS;
    return { small: median(s), large: median(l), scanLarge };
  } finally {
    await Promise.allSettled([small.close(), large.close()]);
  }
}

interface SimFigures {
  readyMs: number;
  pollMs: number;
  tickMs: number;
  tickCalls: number;
  resyncMs: number;
  resyncList: number;
  resyncDescribe: number;
  describeAllCalls: number;
  rssMb: number;
}

async function simFleet(tasks: number, progress: (m: string) => void): Promise<SimFigures> {
  const sim = await startSim({ port: 0, launchLatencyMs: 50, stopLatencyMs: 10, throttling: false }, createSilentLogger());
  const clients = createSimClients(sim);
  const unlimited = { burst: 1_000_000, perSecond: 1_000_000 };
  const backend = simBackend(clients, FLEET, createSilentLogger(), { rates: { read: unlimited, ec2: unlimited, modify: unlimited, tag: unlimited } });
  const config = makeManagerConfig({
    scaling: { minServers: tasks, maxServers: tasks, upscaleMargin: 0, downscaleMargin: 1_000_000, capacity: 10 },
    health: { concurrency: 64, timeoutMs: 5_000, resyncIntervalMs: 3_600_000 },
  });
  const manager = new Manager({ config, backend, prober: new HttpProber({ timeoutMs: 5_000 }), clock: systemClock, logger: createSilentLogger() });
  const calls = () => ({ ...sim.admin.calls().calls });
  const made = (before: Record<string, number>, action?: string) => {
    const now = sim.admin.calls().calls;
    const actions = action ? [action] : Object.keys(now);
    return actions.reduce((n, a) => n + ((now[a] ?? 0) - (before[a] ?? 0)), 0);
  };
  try {
    progress(`scale: starting ${tasks} tasks in the simulator`);
    for (let left = tasks; left > 0; left -= 1000) sim.admin.createTasks({ startedBy: FLEET, count: Math.min(1000, left) });
    await waitFor(() => sim.admin.tasks().every((t) => t.lastStatus === 'RUNNING'), { timeoutMs: 120_000, what: 'tasks RUNNING' });
    const t0 = performance.now();
    await manager.runTick();
    await manager.runPolls();
    const readyMs = performance.now() - t0;
    const active = manager.servers().filter((s) => s.state === 'active').length;
    if (active !== tasks) throw new Error(`scale: ${active} of ${tasks} servers active after the first round`);
    progress(`scale: ${tasks} tasks: measuring`);
    const polls: number[] = [];
    const ticks: number[] = [];
    const before = calls();
    for (let i = 0; i < 3; i++) {
      let s = performance.now();
      await manager.runPolls();
      polls.push(performance.now() - s);
      s = performance.now();
      await manager.runTick();
      ticks.push(performance.now() - s);
    }
    const tickCalls = made(before) / 3;
    const settled = new Set(manager.servers().map((s) => s.id));
    const r0 = calls();
    const rs = performance.now();
    await backend.resync(settled);
    const resyncMs = performance.now() - rs;
    const resyncList = made(r0, 'ListTasks');
    const resyncDescribe = made(r0, 'DescribeTasks');
    // What a steady tick cost before: DescribeTasks of every known task.
    const d0 = calls();
    await backend.refresh([...settled]);
    const describeAllCalls = made(d0);
    return { readyMs, pollMs: median(polls), tickMs: median(ticks), tickCalls, resyncMs, resyncList, resyncDescribe, describeAllCalls, rssMb: process.memoryUsage().rss / 2 ** 20 };
  } finally {
    await manager.close();
    await backend.close();
    await stopSim(sim);
  }
}

export const scale: Benchmark = {
  name: 'scale',
  title: 'Fleet size: allocate() at 100 vs 10,000 servers, and the real manager in ECS mode over the simulator',
  async run(ctx) {
    ctx.progress('scale: allocate() at 100 and 10,000 servers');
    const alloc = await allocationCost();
    const rows: BenchRow[] = [
      row(`allocate() at ${LARGE.toLocaleString('en-US')} servers`, 'µs', alloc.large, alloc.small, `vs at ${SMALL} servers, same run; goal ≤ 1.2`),
      row(`full scan of ${LARGE.toLocaleString('en-US')} servers (the old way)`, 'µs', alloc.scanLarge, alloc.large, 'vs allocate() from the index; how much the index saves per request'),
    ];
    const figures: Array<[number, SimFigures]> = [];
    for (const n of SIM_SIZES) figures.push([n, await simFleet(n, ctx.progress)]);
    const [small, large] = [figures[0] as [number, SimFigures], figures[figures.length - 1] as [number, SimFigures]];
    for (const [n, f] of figures) {
      const at = `${n.toLocaleString('en-US')} tasks`;
      rows.push(
        row(`${at}: time to ready (list, describe, first poll)`, 'ms', f.readyMs, null, 'in process with the simulator'),
        row(`${at}: poll round`, 'ms', f.pollMs, null, 'HTTP polls of every task, concurrency 64'),
        row(`${at}: steady tick`, 'ms', f.tickMs, null, 'observe (no ECS call) + policy'),
        row(`${at}: ECS calls per steady tick`, 'calls', f.tickCalls, f.describeAllCalls, 'vs describing every known task each tick (before); goal 0'),
        row(`${at}: resync ListTasks`, 'calls', f.resyncList, Math.ceil(n / 100) + 1, 'vs the goal ⌈N/100⌉ + 1'),
        row(`${at}: resync DescribeTasks (nothing changed)`, 'calls', f.resyncDescribe, Math.ceil(n / 100), 'vs describing every task; goal 0 when every task is known'),
        row(`${at}: resync time`, 'ms', f.resyncMs, null, 'read bucket unlimited here; at ECS_READ_SHARE 25 % it is paced at 5 calls/s'),
        row(`${at}: RSS after`, 'MB', f.rssMb, null, 'manager and simulator share this process'),
      );
    }
    const ratio = large[0] / small[0];
    rows.push(
      row(`poll round, ${large[0]} vs ${small[0]} tasks`, 'ratio', large[1].pollMs / small[1].pollMs, ratio, `measured growth ÷ size growth (${ratio}×); ≤ 1 is linear or better`),
      row(`steady tick, ${large[0]} vs ${small[0]} tasks`, 'ratio', large[1].tickMs / small[1].tickMs, ratio, `measured growth ÷ size growth (${ratio}×)`),
    );
    return {
      setup: `allocate(): FakeBackend fleets of ${SMALL} and ${LARGE} servers, ${ROUNDS} alternating rounds of ${PER_ROUND}; ECS: simulator with ${SIM_SIZES.join(' and ')} tasks, real Manager + EcsBackend + HttpProber in this process`,
      rows,
      notes: ['the machine is shared with other engineers\' builds and tests: rely on the ratios, not the absolute figures'],
    };
  },
};
