// The real manager as its own process (`node dist/src/main.js`, ECS mode) against the simulator, for
// bench/scale: started, watched through /proc (RSS, peak RSS, CPU) and /metrics, and always stopped.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PROCESS_ENV } from '../src/shared/v8-heuristics.js';
import { startNode, type RunningProcess } from '../test/support/processes.js';
import { freePort, waitFor } from '../test/support/wait.js';

/** A compiled script by its path from the repository root (the benchmarks run from dist/bench/). */
function built(path: string): string {
  return fileURLToPath(new URL(`../../dist/${path}`, import.meta.url));
}

export interface ManagerProcess {
  proc: RunningProcess;
  base: string;
  stop(): Promise<void>;
}

/**
 * `env` adds to (or overrides) the benchmark's settings, e.g. POLL_WORKER. The process gets what the production
 * image sets for it (PROCESS_ENV: NODE_OPTIONS, MALLOC_ARENA_MAX), so its memory is the deployed manager's.
 */
export function startManagerProcess(simUrl: string, fleetId: string, tasks: number, env: Record<string, string> = {}): Promise<ManagerProcess> {
  return freePort().then((port) => {
    // ARBITER_BENCH_PROFILE_DIR=/some/dir: the manager writes a CPU profile there when it stops (node's flags go
    // before the script, and NODE_OPTIONS may not carry --cpu-prof).
    const dir = process.env.ARBITER_BENCH_PROFILE_DIR;
    const first = dir ? '--cpu-prof' : built('src/main.js');
    const profileArgs = (): string[] => (dir ? [`--cpu-prof-dir=${dir}`, built('src/main.js')] : []);
    const proc = startNode(first, {
      ...PROCESS_ENV,
      ENV_FILE: '/nonexistent/.env',
      PORT: String(port),
      HOST: '127.0.0.1',
      AWS_ENDPOINT_URL_ECS: simUrl,
      AWS_ENDPOINT_URL_EC2: simUrl,
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_REGION: 'us-east-1',
      GAMESERVER_TASK_DEFINITION: 'LaunchGameserver',
      ECS_SUBNETS: 'subnet-sim',
      FLEET_ID: fleetId,
      MIN_SERVERS: String(tasks),
      MAX_SERVERS: String(tasks),
      // Margins that keep the policy from touching the fleet: the benchmark measures serving and polling.
      UPSCALE_MARGIN: '0',
      DOWNSCALE_MARGIN: '100000',
      SCALE_IN_DELAY: '86400',
      GAMESERVER_CAPACITY: '10',
      POLL_INTERVAL: '2',
      POLL_CONCURRENCY: '64',
      HEALTH_TIMEOUT_MS: '5000',
      SLEEP_TIME: '2',
      RESYNC_INTERVAL: '3600',
      // The limiter stays in the path (its cost is part of the route), set high enough not to refuse.
      ALLOCATE_RATE_LIMIT: '1000000',
      LOG_LEVEL: 'warn',
      ...env,
    }, profileArgs());
    // A profiled manager writes its profile as it exits: give it time to finish the shutdown.
    return { proc, base: `http://127.0.0.1:${port}`, stop: async () => void (await proc.stop(dir ? 30_000 : 5000)) };
  });
}

/** Servers the manager counts as active, from /metrics; null while it does not answer. */
export async function activeServers(base: string): Promise<number | null> {
  try {
    const res = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(5000) });
    const text = await res.text();
    const m = /^arbiter_servers\{state="active"\} (\d+)/m.exec(text);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Mean steady-tick duration from the manager's own histogram (sum ÷ count). */
export async function tickSeconds(base: string): Promise<{ sum: number; count: number }> {
  return ticksIn(await (await fetch(`${base}/metrics`)).text());
}

/** The reconcile ticks' total time and count in a /metrics text. */
export function ticksIn(text: string): { sum: number; count: number } {
  const num = (name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { sum: num('arbiter_tick_duration_seconds_sum'), count: num('arbiter_tick_duration_seconds_count') };
}

export async function waitActive(manager: ManagerProcess, tasks: number, timeoutMs: number): Promise<void> {
  await waitFor(
    async () => {
      if (manager.proc.child.exitCode !== null) throw new Error(`the manager process exited: ${manager.proc.lines.slice(-5).join(' | ')}`);
      return (await activeServers(manager.base)) === tasks;
    },
    { timeoutMs, intervalMs: 500, what: `${tasks} servers active in the manager process` },
  );
}

export interface ProcStats {
  rssMb: number;
  /** Kernel's high-water mark of resident memory since the process started. */
  peakRssMb: number;
  /** User + system CPU seconds so far. */
  cpuSeconds: number;
}

const CLOCK_TICKS = 100;

export function procStats(pid: number): ProcStats {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name.
  const cpu = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024, cpuSeconds: cpu };
}

/** Samples RSS every `everyMs` until stopped; returns the samples. */
export function sampleRss(pid: number, everyMs = 250): { stop(): number[] } {
  const samples: number[] = [];
  const timer = setInterval(() => {
    try {
      samples.push(procStats(pid).rssMb);
    } catch {
      // The process ended.
    }
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return samples;
    },
  };
}

export interface FloorProcess {
  origin: string;
  pid: number;
  stop(): Promise<void>;
}

/** A bare express 5 route or raw node:http in its own process, answering `bytes` of JSON. */
export async function startFloor(kind: 'express' | 'raw', bytes: number): Promise<FloorProcess> {
  const proc = startNode(built('bench/floor-server.js'), {}, [kind, String(bytes)]);
  try {
    const port = await waitFor(() => {
      const line = proc.lines.find((l) => l.startsWith('{"port"'));
      return line ? (JSON.parse(line) as { port: number }).port : null;
    }, { timeoutMs: 10_000, what: `${kind} floor server listening` });
    return { origin: `http://127.0.0.1:${port}`, pid: proc.pid, stop: async () => void (await proc.stop(2000)) };
  } catch (err) {
    await proc.stop(2000);
    throw err;
  }
}
