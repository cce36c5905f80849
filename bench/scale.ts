// Fleet size: allocate() at 100 vs 10,000 servers (the index, against the full scan it replaced); the
// Manager in ECS mode over the simulator (listeners in SIM_WORKERS processes) at 1,000 and 10,000 tasks,
// in this process (time to ready, poll round, steady tick, resync, ECS calls per tick and per resync) and
// as its own process (RSS, CPU, paced allocations during polls, against bare express and node:http).
import { createSilentLogger } from '../src/shared/log.js';
import { scanFleet } from '../src/manager/allocator.js';
import { Fleet } from '../src/manager/fleet.js';
import { systemClock } from '../src/shared/clock.js';
import type { ManualClock } from '../test/support/manual-clock.js';
import { createManager } from '../src/manager/create-manager.js';
import { HttpProber } from '../src/manager/prober.js';
import { ReservationBook } from '../src/manager/reservations.js';
import type { Sim } from '../sim/index.js';
import { createSimClients } from '../sim/sdk-clients.js';
import { makeManagerConfig } from '../test/support/factories.js';
import { startFakeFleet } from './fake-fleet.js';
import { median, row, type Benchmark, type BenchRow } from './harness.js';
import { floorFigures, processFleet, type ProcessFigures } from './scale-process.js';
import { fleetNames, simBackend, startRunningFleet, stopSim } from './sim-helpers.js';

const SMALL = 100;
const LARGE = 10_000;
const PER_ROUND = 5_000;
const ROUNDS = 7;
/** Simulator sizes; with the listeners in worker processes, the limit is the manager's own connections (one per server). */
const SIM_SIZES = [1_000, 10_000];
/** Tasks the simulator must hold on its own (goal 6): more than one manager process can poll here. */
const SIM_HOLD = 20_000;
const SIM_WORKERS = 4;
const PACED_RATE = 1_000;
const PACED_SECONDS = 10;
/** Paced at the same rate before the measured 10 s and not counted: the route warm, as under steady traffic. */
const PACED_WARMUP_SECONDS = 3;
const CLOSED_CONCURRENCY = 50;
const CLOSED_SECONDS = 5;
const FLEET = 'bench-scale';
/**
 * Seats per gameserver: the paced and closed loads reserve a seat each (10,000 and more in 15 s), which must not
 * fill 1,000 servers before the reservations expire.
 */
const SEATS = 100;

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

/** The simulator with `tasks` RUNNING tasks of FLEET, listeners in worker processes. */
function startFleetSim(tasks: number, progress: (m: string) => void): Promise<Sim> {
  progress(`scale: starting ${tasks} tasks in the simulator (${SIM_WORKERS} workers)`);
  return startRunningFleet(FLEET, tasks, SIM_WORKERS, SEATS);
}

/** The Manager + EcsBackend + HttpProber in this process, one tick and one poll round at a time. */
async function simFleet(sim: Sim, tasks: number, progress: (m: string) => void): Promise<SimFigures> {
  const clients = createSimClients(sim);
  const unlimited = { burst: 1_000_000, perSecond: 1_000_000 };
  const backend = simBackend(clients, FLEET, createSilentLogger(), { rates: { read: unlimited, ec2: unlimited, modify: unlimited, tag: unlimited } });
  const config = makeManagerConfig({
    scaling: { minServers: tasks, maxServers: tasks, upscaleMargin: 0, downscaleMargin: 1_000_000, capacity: SEATS },
    health: { concurrency: 64, timeoutMs: 5_000, resyncIntervalMs: 3_600_000 },
  });
  const manager = createManager({ config, backend, prober: new HttpProber({ timeoutMs: 5_000 }), clock: systemClock, logger: createSilentLogger(), names: fleetNames(FLEET) });
  const calls = () => ({ ...sim.admin.calls().calls });
  const made = (before: Record<string, number>, action?: string) => {
    const now = sim.admin.calls().calls;
    const actions = action ? [action] : Object.keys(now);
    return actions.reduce((n, a) => n + ((now[a] ?? 0) - (before[a] ?? 0)), 0);
  };
  try {
    const t0 = performance.now();
    await manager.runTick();
    await manager.runPolls();
    const readyMs = performance.now() - t0;
    const active = manager.servers().filter((s) => s.state === 'active').length;
    if (active !== tasks) throw new Error(`scale: ${active} of ${tasks} servers active after the first round`);
    progress(`scale: ${tasks} tasks: measuring in process`);
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
    clients.destroy();
  }
}

/** Goal 6 on its own: the simulator holds SIM_HOLD tasks and a sample of them answers /health/. */
async function simHold(progress: (m: string) => void): Promise<{ startMs: number; answered: number; sampled: number }> {
  const t0 = performance.now();
  const sim = await startFleetSim(SIM_HOLD, progress);
  try {
    const startMs = performance.now() - t0;
    const sample = sim.admin.tasks().filter((_, i) => i % 200 === 0);
    let answered = 0;
    for (const t of sample) if ((await fetch(`http://${t.address}:${t.ports.web}/health/`)).status === 200) answered += 1;
    return { startMs, answered, sampled: sample.length };
  } finally {
    await stopSim(sim);
  }
}

const n = (v: number) => v.toLocaleString('en-US');

export const scale: Benchmark = {
  name: 'scale',
  title: 'Fleet size: allocate() at 100 vs 10,000 servers, and the real manager in ECS mode over the simulator',
  async run(ctx) {
    ctx.progress('scale: allocate() at 100 and 10,000 servers');
    const alloc = await allocationCost();
    const rows: BenchRow[] = [
      row(`allocate() at ${n(LARGE)} servers`, 'µs', alloc.large, alloc.small, `vs at ${SMALL} servers, same run; goal ≤ 1.2`),
      row(`full scan of ${n(LARGE)} servers (the old way)`, 'µs', alloc.scanLarge, alloc.large, 'vs allocate() from the index; how much the index saves per request'),
    ];
    const figures: Array<[number, SimFigures, ProcessFigures]> = [];
    for (const size of SIM_SIZES) {
      const sim = await startFleetSim(size, ctx.progress);
      try {
        const inProcess = await simFleet(sim, size, ctx.progress);
        const own = await processFleet(sim, FLEET, size, { rate: PACED_RATE, seconds: PACED_SECONDS, warmupSeconds: PACED_WARMUP_SECONDS, concurrency: CLOSED_CONCURRENCY, closedSeconds: CLOSED_SECONDS }, ctx.progress, SEATS);
        figures.push([size, inProcess, own]);
      } finally {
        await stopSim(sim);
      }
    }
    const [small, large] = [figures[0] as (typeof figures)[number], figures[figures.length - 1] as (typeof figures)[number]];
    ctx.progress('scale: baselines (bare express route, raw node:http)');
    const floor = await floorFigures(large[2].bodyBytes, { rate: PACED_RATE, seconds: PACED_SECONDS, warmupSeconds: PACED_WARMUP_SECONDS, concurrency: CLOSED_CONCURRENCY, closedSeconds: CLOSED_SECONDS });
    for (const [size, f, p] of figures) {
      const at = `${n(size)} tasks`;
      rows.push(
        row(`${at}: state rebuild in process (list, describe, first poll)`, 'ms', f.readyMs, null, 'manager in this process'),
        row(`${at}: poll round`, 'ms', f.pollMs, null, 'HTTP polls of every task, concurrency 64'),
        row(`${at}: steady tick`, 'ms', f.tickMs, null, 'observe (no ECS call) + policy'),
        row(`${at}: ECS calls per steady tick`, 'calls', f.tickCalls, f.describeAllCalls, 'vs describing every known task each tick (before); goal 0'),
        row(`${at}: resync ListTasks`, 'calls', f.resyncList, Math.ceil(size / 100) + 1, 'vs the goal ⌈N/100⌉ + 1'),
        row(`${at}: resync DescribeTasks (nothing changed)`, 'calls', f.resyncDescribe, Math.ceil(size / 100), 'vs describing every task; goal 0 when every task is known'),
        row(`${at}: resync time`, 'ms', f.resyncMs, null, 'read bucket unlimited here; at ECS_READ_SHARE 25 % it is paced at 5 calls/s'),
        row(`${at}: manager process: time to ready`, 'ms', p.readyMs, null, 'start to every server active (/metrics)'),
        row(`${at}: manager process RSS, median`, 'MB', p.rssMedianMb, 250, 'sampled every 250 ms from start to stop; goal ≤ 250 MB'),
        row(`${at}: manager process RSS, peak`, 'MB', p.rssPeakMb, 250, 'kernel high-water mark (VmHWM); goal ≤ 250 MB'),
        row(`${at}: manager CPU while serving ${n(PACED_RATE)}/s`, '%', p.cpuPercent, null, 'of one core, over the paced window, polls running'),
        row(`${at}: ECS calls per tick, manager process`, 'calls', p.ecsCallsPerTick, 0, 'over the paced window; goal 0'),
        row(`${at}: allocation p50 at ${n(PACED_RATE)}/s paced, polls running`, 'ms', p.paced.latency.p50, floor.express.paced.latency.p50, 'from each request\'s due time; vs bare express, same run'),
        row(`${at}: allocation p99 at ${n(PACED_RATE)}/s paced, polls running`, 'ms', p.paced.latency.p99, 5, `goal ≤ 5 ms; bare express ${floor.express.paced.latency.p99.toFixed(2)} ms, raw node:http ${floor.raw.paced.latency.p99.toFixed(2)} ms; ${p.paced.failed} of ${p.paced.sent} not 200`),
        row(`${at}: /available-server/ req/s at c=${CLOSED_CONCURRENCY}`, '/s', p.closed.perSecond, floor.express.closed.perSecond, `every production middleware ÷ bare express 5 route, same body size; goal ≥ 0.85 (raw node:http ${n(Math.round(floor.raw.closed.perSecond))}/s)`),
        row(`${at}: /available-server/ requests per CPU-second of the server`, '/cpu-s', p.closed.perCpuSecond, floor.express.closed.perCpuSecond, `the same closed loop per second of the server process's own CPU, which the shared machine's load does not skew; goal ≥ 0.85 (raw node:http ${n(Math.round(floor.raw.closed.perCpuSecond))}/cpu-s)`),
      );
    }
    const growth = large[0] / small[0];
    rows.push(
      row(`poll round, ${n(large[0])} vs ${n(small[0])} tasks`, 'ratio', large[1].pollMs / small[1].pollMs, 12, `time growth for ${growth}× the size; goal ≤ 12`),
      row(`steady tick, ${n(large[0])} vs ${n(small[0])} tasks`, 'ratio', large[1].tickMs / small[1].tickMs, 12, `time growth for ${growth}× the size; goal ≤ 12`),
      row(`state rebuild, ${n(large[0])} vs ${n(small[0])} tasks`, 'ratio', large[1].readyMs / small[1].readyMs, 12, `time growth for ${growth}× the size; goal ≤ 12`),
    );
    ctx.progress(`scale: the simulator alone with ${n(SIM_HOLD)} tasks`);
    const hold = await simHold(ctx.progress);
    rows.push(row(`simulator holds ${n(SIM_HOLD)} tasks (${SIM_WORKERS} workers)`, 'answered', hold.answered, hold.sampled, `sampled tasks answering /health/; all RUNNING ${(hold.startMs / 1000).toFixed(1)} s after start`));
    return {
      setup: `allocate(): FakeBackend fleets of ${SMALL} and ${n(LARGE)} servers, ${ROUNDS} alternating rounds of ${n(PER_ROUND)}; ECS: simulator (${SIM_WORKERS} listener workers) with ${SIM_SIZES.map(n).join(' and ')} tasks, the Manager in this process, then \`node dist/src/main.js\` against it; baselines in their own processes`,
      rows,
      notes: [
        'other work on the machine shifts the absolute figures: rely on the ratios',
        `paced load: ${n(PACED_RATE)} GET/s for ${PACED_SECONDS} s from this process over up to 64 keep-alive connections; closed loop: ${CLOSED_CONCURRENCY} connections for ${CLOSED_SECONDS} s`,
        `${n(SIM_HOLD)} tasks are not run against a manager here: it would hold one connection per server, above this machine's 20,000 open files per process with the simulator's own`,
      ],
    };
  },
};
