// What each piece in front of GET /available-server/ costs: a ladder of servers, each in its own process,
// from a bare express 5 route to the whole app over 10,000 servers (bench/api-ladder-server.ts), loaded in
// alternating rounds by the same closed loop, with each server's own CPU time read from /proc.
import { fileURLToPath } from 'node:url';
import { startNode, type RunningProcess } from '../test/support/processes.js';
import { waitFor } from '../test/support/wait.js';
import { rungNames } from './api-ladder-server.js';
import { median, row, type Benchmark, type BenchRow } from './harness.js';
import { closedLoad } from './load.js';
import { procStats } from './manager-process.js';

const PATH = '/available-server/';
const CONCURRENCY = 32;
const SECONDS = 3;
const ROUNDS = 3;
const GOAL = 0.85;

interface Rung {
  name: string;
  proc: RunningProcess;
  origin: string;
  perSecond: number[];
  perCpuSecond: number[];
}

async function startRung(index: number, bytes: number): Promise<Rung> {
  const script = fileURLToPath(new URL('./api-ladder-server.js', import.meta.url));
  // ARBITER_BENCH_PROFILE_DIR=/dir: the whole app over the fleet writes a CPU profile there when it stops.
  const dir = process.env.ARBITER_BENCH_PROFILE_DIR;
  const profiled = dir !== undefined && index === rungNames().length - 1;
  const proc = profiled
    ? startNode('--cpu-prof', {}, [`--cpu-prof-dir=${dir}`, script, String(index), String(bytes)])
    : startNode(script, {}, [String(index), String(bytes)]);
  try {
    const port = await waitFor(
      () => {
        if (proc.child.exitCode !== null) throw new Error(`rung ${index} exited: ${proc.lines.slice(-3).join(' | ')}`);
        const line = proc.lines.find((l) => l.startsWith('{"port"'));
        return line ? (JSON.parse(line) as { port: number }).port : null;
      },
      { timeoutMs: 120_000, intervalMs: 100, what: `ladder rung ${index} listening` },
    );
    return { name: rungNames()[index] ?? String(index), proc, origin: `http://127.0.0.1:${port}`, perSecond: [], perCpuSecond: [] };
  } catch (err) {
    await proc.stop(2000);
    throw err;
  }
}

async function measure(rung: Rung): Promise<void> {
  const cpu0 = procStats(rung.proc.pid).cpuSeconds;
  const closed = await closedLoad(rung.origin, PATH, CONCURRENCY, SECONDS);
  const cpu = procStats(rung.proc.pid).cpuSeconds - cpu0;
  rung.perSecond.push(closed.perSecond);
  rung.perCpuSecond.push((closed.perSecond * SECONDS) / Math.max(cpu, 0.01));
}

export const apiMiddleware: Benchmark = {
  name: 'api-middleware',
  title: 'GET /available-server/: the cost of each middleware, and the whole app over 10,000 servers, against a bare express 5 route',
  async run(ctx) {
    const names = rungNames();
    const rungs: Rung[] = [];
    try {
      ctx.progress('api-middleware: starting the whole app over its fleet');
      const full = await startRung(names.length - 1, 2);
      rungs.push(full);
      const sample = await fetch(`${full.origin}${PATH}`);
      const bytes = Buffer.byteLength(await sample.text());
      if (sample.status !== 200) throw new Error(`api-middleware: ${PATH} answered ${sample.status}`);
      for (let i = 0; i < names.length - 1; i++) rungs.splice(i, 0, await startRung(i, bytes));
      ctx.progress(`api-middleware: ${rungs.length} servers, warming up`);
      for (const rung of rungs) await closedLoad(rung.origin, PATH, 8, 1);
      for (let round = 0; round < ROUNDS; round++) {
        ctx.progress(`api-middleware: round ${round + 1} of ${ROUNDS}`);
        for (const rung of rungs) await measure(rung);
      }

      const bare = rungs[0] as Rung;
      const bareRate = median(bare.perSecond);
      const bareCpu = median(bare.perCpuSecond);
      const rows: BenchRow[] = [];
      let previousCpu = bareCpu;
      for (const [i, rung] of rungs.entries()) {
        const rate = median(rung.perSecond);
        const cpu = median(rung.perCpuSecond);
        const step = i === 0 ? '' : `; ${formatMicros(1e6 / cpu - 1e6 / previousCpu)} µs of server CPU a request over the rung above`;
        rows.push(row(`${rung.name}: req/s`, '/s', rate, bareRate, `÷ bare express route${step}`));
        rows.push(row(`${rung.name}: req per CPU-second`, '/s', cpu, bareCpu, '÷ bare express route, the server process alone'));
        previousCpu = cpu;
      }
      const last = rungs[rungs.length - 1] as Rung;
      const goalRate = median(last.perSecond) / bareRate;
      const goalCpu = median(last.perCpuSecond) / bareCpu;
      return {
        setup: `each rung its own node process on 127.0.0.1, undici Pool of ${CONCURRENCY} keep-alive connections in the benchmark process, ${ROUNDS} alternating rounds of ${SECONDS} s, medians; body ${bytes} bytes on every rung`,
        rows,
        notes: [
          `goal (issue 14, goal 2): the whole app over ${names[names.length - 1]?.replace('whole app, ', '')} ≥ ${GOAL}× the bare express route; this run: ${goalRate.toFixed(2)}× in req/s, ${goalCpu.toFixed(2)}× per CPU-second — ${Math.min(goalRate, goalCpu) >= GOAL ? 'met' : 'not met'}`,
          'the ladder rungs answer with the bare route (res.type().send()); "whole app" adds the routers, the handler, Cache-Control and res.json()',
          'the fleet is polled by the in-memory prober every 60 s, so the window measures serving, not polling (goal 3 measures both together)',
        ],
      };
    } finally {
      await Promise.all(rungs.map((r) => r.proc.stop(5000)));
    }
  },
};

function formatMicros(value: number): string {
  return (value >= 0 ? '+' : '') + value.toFixed(1);
}
