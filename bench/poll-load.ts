// Goal 3 and the polling half of goal 5 of the scale work: the manager as its own process in ECS mode over the
// simulator's N tasks, polled for real every 2 s, serving an evenly paced 1,000 allocations/s; once with the polls
// on its own thread (POLL_WORKER=off) and once in the poll worker (POLL_WORKER=on), then a bare express route under
// the same load, all in one run. ARBITER_BENCH_POLL_TASKS sets N (default 10,000), ARBITER_BENCH_POLL_SECONDS the window.
import type { Sim } from '../sim/index.js';
import { median, row, type Benchmark, type BenchRow } from './harness.js';
import { pacedLoad, closedLoad, type PacedResult } from './load.js';
import { procStats, sampleRss, startFloor, startManagerProcess, ticksIn, waitActive } from './manager-process.js';
import { startRunningFleet, stopSim } from './sim-helpers.js';

const FLEET = 'bench-polls';
const SIM_WORKERS = 4;
const RATE = 1_000;
/** The measured window; ARBITER_BENCH_POLL_SECONDS makes it longer, to see where the heap settles (5–600). */
const SECONDS = windowSeconds(process.env.ARBITER_BENCH_POLL_SECONDS);

function windowSeconds(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 20;
  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds < 5 || seconds > 600) throw new RangeError(`ARBITER_BENCH_POLL_SECONDS must be a whole number of seconds from 5 to 600, not ${JSON.stringify(raw)}`);
  return seconds;
}
/**
 * Seconds of polls and paced allocations after ready before the measured window, so the window sees both in their
 * steady state: an idle pause before it let V8 drop the route's compiled code, and the window's first 150 ms were
 * spent compiling it again.
 */
const WARMUP_S = 6;
const PATH = '/available-server/';

interface ModeFigures {
  readyMs: number;
  paced: PacedResult;
  /** RSS over the paced window. */
  windowMedianMb: number;
  windowPeakMb: number;
  /** Kernel high-water mark from start to the end of the window: start-up included. */
  peakMb: number;
  cpuPercent: number;
  pollsPerSecond: number;
  pollsFailed: number;
  /** The manager thread's own V8 heap (used / total) at the end of the window, from its /metrics. */
  mainHeapUsedMb: number;
  mainHeapTotalMb: number;
  /** The poll worker thread's V8 heap (used / total), as it last reported it (arbiter_poll_worker_heap_bytes). */
  workerHeapUsedMb: number;
  workerHeapTotalMb: number;
  /** Mean reconcile tick over the window: each one builds a snapshot of the whole fleet on the manager's thread. */
  tickMs: number;
  ticks: number;
  /** GC pauses of the manager's thread over warm-up and window. */
  gc: GcTally;
}

/** What poll-load reads of the manager's /metrics, from one scrape. */
interface Scrape {
  polls: { ok: number; failed: number };
  heap: { used: number; total: number };
  workerHeap: { used: number; total: number };
  ticks: { sum: number; count: number };
  gc: GcTally;
}

async function scrape(base: string): Promise<Scrape> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return { polls: pollsIn(text), heap: mainHeapIn(text), workerHeap: workerHeapIn(text), ticks: ticksIn(text), gc: gcIn(text) };
}

function pollsIn(text: string): { ok: number; failed: number } {
  const count = (result: string) => Number(new RegExp(`^arbiter_health_polls_total\\{result="${result}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { ok: count('ok'), failed: count('failed') };
}

/** The manager thread's GC pauses by kind (prom-client's nodejs_gc_duration_seconds): count, total, and over 10 ms. */
type GcTally = Record<string, { count: number; seconds: number; over10ms: number }>;

function gcIn(text: string): GcTally {
  const tally: GcTally = {};
  for (const kind of ['minor', 'major', 'incremental', 'weakcb']) {
    const value = (suffix: string, extra = '') => Number(new RegExp(`^nodejs_gc_duration_seconds_${suffix}\\{${extra}kind="${kind}"\\} ([0-9.e+-]+)`, 'm').exec(text)?.[1] ?? 0);
    const count = value('count');
    tally[kind] = { count, seconds: value('sum'), over10ms: count - value('bucket', 'le="0.01",') };
  }
  return tally;
}

function gcSince(before: GcTally, after: GcTally): GcTally {
  const out: GcTally = {};
  for (const [kind, a] of Object.entries(after)) {
    const b = before[kind] ?? { count: 0, seconds: 0, over10ms: 0 };
    out[kind] = { count: a.count - b.count, seconds: a.seconds - b.seconds, over10ms: a.over10ms - b.over10ms };
  }
  return out;
}

function mainHeapIn(text: string): { used: number; total: number } {
  const mb = (name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? Number.NaN) / 2 ** 20;
  return { used: mb('nodejs_heap_size_used_bytes'), total: mb('nodejs_heap_size_total_bytes') };
}

function workerHeapIn(text: string): { used: number; total: number } {
  const mb = (space: string) => Number(new RegExp(`^arbiter_poll_worker_heap_bytes\\{space="${space}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? Number.NaN) / 2 ** 20;
  return { used: mb('used'), total: mb('total') };
}

async function runMode(sim: Sim, tasks: number, pollWorker: 'on' | 'off', sleepS: number, progress: (m: string) => void): Promise<ModeFigures> {
  progress(`poll-load: ${tasks} tasks, POLL_WORKER=${pollWorker}, SLEEP_TIME ${sleepS}: starting the manager`);
  const t0 = performance.now();
  // The resync is not what is measured here: the read bucket takes most of the (unthrottled) simulator's budget.
  // ARBITER_BENCH_MANAGER_NODE_OPTIONS replaces the image's NODE_OPTIONS for the manager process (heap sizing experiments).
  const nodeOptions = process.env.ARBITER_BENCH_MANAGER_NODE_OPTIONS;
  const manager = await startManagerProcess(sim.url, FLEET, tasks, {
    POLL_WORKER: pollWorker,
    ECS_READ_SHARE: '90',
    SLEEP_TIME: String(sleepS),
    ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
  });
  try {
    await waitActive(manager, tasks, 240_000);
    const readyMs = performance.now() - t0;
    await closedLoad(manager.base, PATH, 8, 1);
    progress(`poll-load: POLL_WORKER=${pollWorker}: ${RATE}/s paced for ${WARMUP_S} + ${SECONDS} s`);
    const before = await scrape(manager.base);
    const p0 = performance.now();
    let cpu0 = 0;
    let w0 = 0;
    let rss: ReturnType<typeof sampleRss> | null = null;
    const paced = await pacedLoad(manager.base, PATH, RATE, SECONDS, {
      warmupSeconds: WARMUP_S,
      onWindow: () => {
        cpu0 = procStats(manager.proc.pid).cpuSeconds;
        rss = sampleRss(manager.proc.pid, 100);
        w0 = performance.now();
      },
    });
    const windowS = (performance.now() - w0) / 1000;
    const samples = (rss as ReturnType<typeof sampleRss> | null)?.stop() ?? [];
    const stats = procStats(manager.proc.pid);
    const after = await scrape(manager.base);
    const pollSeconds = (performance.now() - p0) / 1000;
    const ticks = after.ticks.count - before.ticks.count;
    return {
      gc: gcSince(before.gc, after.gc),
      tickMs: ticks > 0 ? ((after.ticks.sum - before.ticks.sum) / ticks) * 1000 : Number.NaN,
      ticks,
      mainHeapUsedMb: after.heap.used,
      mainHeapTotalMb: after.heap.total,
      workerHeapUsedMb: after.workerHeap.used,
      workerHeapTotalMb: after.workerHeap.total,
      readyMs,
      paced,
      windowMedianMb: median(samples),
      windowPeakMb: Math.max(...samples),
      peakMb: stats.peakRssMb,
      cpuPercent: ((stats.cpuSeconds - cpu0) / windowS) * 100,
      pollsPerSecond: (after.polls.ok + after.polls.failed - before.polls.ok - before.polls.failed) / pollSeconds,
      pollsFailed: after.polls.failed - before.polls.failed,
    };
  } finally {
    await manager.stop();
  }
}

function gcText(gc: GcTally): string {
  const part = (kind: string) => `${kind} ${gc[kind]!.count} (${(gc[kind]!.seconds * 1000).toFixed(0)} ms, ${gc[kind]!.over10ms} over 10 ms)`;
  return `in warm-up and window: ${['minor', 'major', 'incremental'].map(part).join(', ')}`;
}

export const pollLoad: Benchmark = {
  name: 'poll-load',
  title: 'Allocations at 1,000/s paced while the manager polls N servers: polls on the main thread vs in the poll worker',
  async run(ctx) {
    const tasks = Number(process.env.ARBITER_BENCH_POLL_TASKS ?? 10_000);
    ctx.progress(`poll-load: starting ${tasks} tasks in the simulator (${SIM_WORKERS} workers)`);
    const sim = await startRunningFleet(FLEET, tasks, SIM_WORKERS);
    // ARBITER_BENCH_POLL_MODES picks some of off, on, on-tick10 (the worker with the default SLEEP_TIME of 10 s
    // instead of 2 s), e.g. to profile one (ARBITER_BENCH_PROFILE_DIR).
    const modes = (process.env.ARBITER_BENCH_POLL_MODES ?? 'off,on,on-tick10').split(',');
    let off: ModeFigures | null = null;
    let on: ModeFigures | null = null;
    let onSlow: ModeFigures | null = null;
    try {
      if (modes.includes('off')) off = await runMode(sim, tasks, 'off', 2, ctx.progress);
      if (modes.includes('on')) on = await runMode(sim, tasks, 'on', 2, ctx.progress);
      if (modes.includes('on-tick10')) onSlow = await runMode(sim, tasks, 'on', 10, ctx.progress);
    } finally {
      await stopSim(sim);
    }
    ctx.progress('poll-load: bare express route under the same load');
    const floor = await startFloor('express', 200);
    let express: PacedResult;
    try {
      await closedLoad(floor.origin, PATH, 8, 1);
      express = await pacedLoad(floor.origin, PATH, RATE, SECONDS, { warmupSeconds: WARMUP_S });
    } finally {
      await floor.stop();
    }
    const rows: BenchRow[] = [];
    const measured: Array<[string, ModeFigures | null]> = [
      ['polls on the main thread (POLL_WORKER=off)', off],
      ['polls in the worker (POLL_WORKER=on)', on],
      ['worker, ticks every 10 s (SLEEP_TIME default)', onSlow],
    ];
    for (const [label, f] of measured) {
      if (f === null) continue;
      rows.push(
        row(`${label}: allocation p50`, 'ms', f.paced.latency.p50, express.latency.p50, 'from each request\'s due time; vs bare express, same run'),
        row(`${label}: allocation p99`, 'ms', f.paced.latency.p99, express.latency.p99, `vs bare express (goal: p99 ≤ 5 ms); max ${f.paced.latency.max.toFixed(1)} ms; ${f.paced.failed} of ${f.paced.sent} not 200`),
        row(`${label}: polls per second`, '/s', f.pollsPerSecond, tasks / 2, `during warm-up and window, vs N every 2 s; ${f.pollsFailed} failed`),
        row(`${label}: RSS median in the window`, 'MB', f.windowMedianMb, 250, 'sampled every 100 ms; goal ≤ 250 MB'),
        row(`${label}: RSS peak in the window`, 'MB', f.windowPeakMb, 250, 'goal ≤ 250 MB'),
        row(`${label}: RSS peak since start`, 'MB', f.peakMb, 250, 'kernel high-water mark (VmHWM): start-up and first poll round included'),
        row(`${label}: manager thread's V8 heap, used / total`, 'MB', f.mainHeapUsedMb, f.mainHeapTotalMb, 'at the end of the window (/metrics)'),
        row(`${label}: poll worker's V8 heap, used / total`, 'MB', f.workerHeapUsedMb, f.workerHeapTotalMb, 'its last report before the end of the window (arbiter_poll_worker_heap_bytes); the rest of RSS is code, sockets and native buffers'),
        row(`${label}: reconcile tick, mean`, 'ms', f.tickMs, null, `${f.ticks} ticks in warm-up and window; each blocks the manager's thread while it runs`),
        row(`${label}: CPU in the window`, '%', f.cpuPercent, null, 'of one core'),
        row(`${label}: GC pauses of the manager's thread`, 'ms', (f.gc.minor!.seconds + f.gc.major!.seconds + f.gc.incremental!.seconds) * 1000, null, gcText(f.gc)),
        row(`${label}: time to ready`, 'ms', f.readyMs, null, 'start to every server active'),
      );
    }
    if (on && off) rows.push(row('p99, worker vs main thread', 'ratio', on.paced.latency.p99 / off.paced.latency.p99, null, 'same run'));
    rows.push(
      row('bare express route p99', 'ms', express.latency.p99, null, `${RATE}/s paced, its own process, same run; p50 ${express.latency.p50.toFixed(2)} ms`),
    );
    return {
      setup: `simulator with ${tasks} tasks (${SIM_WORKERS} listener workers); \`node dist/src/main.js\` in ECS mode, POLL_INTERVAL 2 s, POLL_CONCURRENCY 64, SLEEP_TIME 2 s unless said, once per mode; ${RATE} GET ${PATH}/s paced for ${SECONDS} s after ${WARMUP_S} s paced the same and not counted`,
      rows,
      notes: ['other work on the machine shifts the absolute figures: compare the modes and the floor of the same run'],
    };
  },
};
