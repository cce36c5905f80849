// bench/scale's figures of the manager as its own process, and of the baselines beside it: paced
// allocations during real polls, a closed loop at fixed concurrency, RSS (median and peak) and CPU.
import type { Sim } from '../sim/index.js';
import { closedLoad, pacedLoad, type PacedResult } from './load.js';
import { median } from './harness.js';
import { procStats, sampleRss, startFloor, startManagerProcess, tickSeconds, waitActive } from './manager-process.js';

export interface LoadShape {
  rate: number;
  seconds: number;
  /** Seconds paced before the measured window and not counted. */
  warmupSeconds: number;
  concurrency: number;
  closedSeconds: number;
}

export interface ProcessFigures {
  readyMs: number;
  rssMedianMb: number;
  rssPeakMb: number;
  cpuPercent: number;
  ecsCallsPerTick: number;
  paced: PacedResult;
  closed: { perSecond: number; perCpuSecond: number };
  bodyBytes: number;
}

const PATH = '/available-server/';

/** `seats`: what each of the simulator's gameservers holds (GAMESERVER_CAPACITY of the manager process). */
export async function processFleet(sim: Sim, fleetId: string, tasks: number, load: LoadShape, progress: (m: string) => void, seats = 10): Promise<ProcessFigures> {
  progress(`scale: ${tasks} tasks: manager process`);
  const t0 = performance.now();
  const manager = await startManagerProcess(sim.url, fleetId, tasks, { GAMESERVER_CAPACITY: String(seats) });
  const rss = sampleRss(manager.proc.pid);
  try {
    await waitActive(manager, tasks, 120_000).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}; manager said: ${manager.proc.lines.slice(-5).join(' | ')}`);
    });
    const readyMs = performance.now() - t0;
    const sample = await fetch(`${manager.base}${PATH}`);
    const bodyBytes = Buffer.byteLength(await sample.text());
    if (sample.status !== 200) throw new Error(`scale: ${PATH} answered ${sample.status}`);
    // Settle: the first poll rounds after ready, then warm the route (and keep it warm, as steady traffic does).
    await closedLoad(manager.base, PATH, 8, 1);
    const calls0 = sim.admin.calls().calls;
    const ticks0 = await tickSeconds(manager.base);
    let cpu0 = 0;
    let w0 = 0;
    const paced = await pacedLoad(manager.base, PATH, load.rate, load.seconds, {
      warmupSeconds: load.warmupSeconds,
      onWindow: () => {
        cpu0 = procStats(manager.proc.pid).cpuSeconds;
        w0 = performance.now();
      },
    });
    const cpuPercent = ((procStats(manager.proc.pid).cpuSeconds - cpu0) / ((performance.now() - w0) / 1000)) * 100;
    const ticks1 = await tickSeconds(manager.base);
    const calls1 = sim.admin.calls().calls;
    const ecsCalls = Object.keys(calls1).reduce((sum, k) => sum + ((calls1[k] ?? 0) - (calls0[k] ?? 0)), 0);
    const closed = await cpuLoad(manager.proc.pid, manager.base, load);
    const samples = rss.stop();
    const peak = procStats(manager.proc.pid).peakRssMb;
    return {
      readyMs,
      rssMedianMb: median(samples),
      rssPeakMb: peak,
      cpuPercent,
      ecsCallsPerTick: ecsCalls / Math.max(1, ticks1.count - ticks0.count),
      paced,
      closed,
      bodyBytes,
    };
  } finally {
    rss.stop();
    await manager.stop();
  }
}

type Closed = { perSecond: number; perCpuSecond: number };

/**
 * The closed loop, with the server's own CPU time: requests per CPU-second is what the code costs, whatever
 * share of the two cores the scheduler gave the process on a machine shared with other work.
 */
async function cpuLoad(pid: number, origin: string, load: LoadShape): Promise<Closed> {
  const cpu0 = procStats(pid).cpuSeconds;
  const closed = await closedLoad(origin, PATH, load.concurrency, load.closedSeconds);
  const cpu = procStats(pid).cpuSeconds - cpu0;
  return { perSecond: closed.perSecond, perCpuSecond: (closed.perSecond * load.closedSeconds) / Math.max(cpu, 0.01) };
}

export interface FloorFigures {
  express: { paced: PacedResult; closed: Closed };
  raw: { paced: PacedResult; closed: Closed };
}

/** The same loads against a bare express 5 route and raw node:http answering `bytes` of JSON, each in its own process. */
export async function floorFigures(bytes: number, load: LoadShape): Promise<FloorFigures> {
  const run = async (kind: 'express' | 'raw') => {
    const floor = await startFloor(kind, bytes);
    try {
      await closedLoad(floor.origin, PATH, 8, 1);
      const paced = await pacedLoad(floor.origin, PATH, load.rate, load.seconds, { warmupSeconds: load.warmupSeconds });
      const closed = await cpuLoad(floor.pid, floor.origin, load);
      return { paced, closed };
    } finally {
      await floor.stop();
    }
  };
  return { express: await run('express'), raw: await run('raw') };
}
