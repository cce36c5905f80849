// bench/spike: demand traces replayed in virtual time through the real policy code and a simulated fleet, five
// policies side by side (issue "Scaling from demand"). Deterministic (seeded), no sleeping, a few seconds in all.
import { row, type Benchmark, type BenchRow } from './harness.js';
import { makePolicies, WAIT_S } from './spike-policies.js';
import { CAPACITY, simulate, type SimResult } from './spike-sim.js';
import { makeTraces, seededRandom } from './spike-traces.js';

const SEED = 20261202;
const LATENCIES_S = [5, 57];

export interface SpikeCell {
  trace: string;
  latencyS: number;
  policy: string;
  result: SimResult;
}

export function runSpike(seed = SEED): SpikeCell[] {
  const cells: SpikeCell[] = [];
  for (const trace of makeTraces(seed)) {
    for (const latencyS of LATENCIES_S) {
      for (const policy of makePolicies()) {
        cells.push({ trace: trace.name, latencyS, policy: policy.name, result: simulate(trace, policy, latencyS, seededRandom(seed + latencyS)) });
      }
    }
  }
  return cells;
}

const pct = (n: number, of: number) => (of === 0 ? '—' : `${((100 * n) / of).toFixed(1)}%`);

export function formatTable(cells: readonly SpikeCell[]): string[] {
  const header = ['trace', 'T', 'policy', 'at once', 'waited', 'wait p50/p99', 'backup', 'server-s', 'peak idle', 'launches', 'stops', 'flaps', 'ECS calls', 'jump: at once ≤ bound'];
  const lines = cells.map(({ trace, latencyS, policy, result: r }) => [
    trace,
    `${latencyS} s`,
    policy,
    `${r.atOnce} (${pct(r.atOnce, r.arrivals)})`,
    String(r.afterWait),
    r.afterWait > 0 ? `${r.waitP50.toFixed(1)}/${r.waitP99.toFixed(1)} s` : '—',
    String(r.backup),
    String(Math.round(r.serverSeconds)),
    String(r.peakIdle),
    String(r.launches),
    String(r.stops),
    String(r.flaps),
    String(r.ecsCalls),
    r.jump ? `${r.jump.atOnce} ≤ ${Math.min(r.jump.arrivals, r.jump.idleAtJump + r.jump.freed)} of ${r.jump.arrivals}` : '—',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (c: string[]) => `| ${c.map((x, i) => x.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)];
}

export interface Verdict {
  servedMargin: number;
  servedDemand: number;
  secondsMargin: number;
  secondsDemand: number;
  chosen: 'demand' | 'margin';
}

/** The rule: demand-aware headroom is the default if it serves more at once for ≤ 10 % more server-seconds. */
export function verdict(cells: readonly SpikeCell[]): Verdict {
  const sum = (policy: string, f: (r: SimResult) => number) => cells.filter((c) => c.policy === policy).reduce((n, c) => n + f(c.result), 0);
  const v = {
    servedMargin: sum('(c) margins', (r) => r.atOnce),
    servedDemand: sum('(d) demand', (r) => r.atOnce),
    secondsMargin: sum('(c) margins', (r) => r.serverSeconds),
    secondsDemand: sum('(d) demand', (r) => r.serverSeconds),
  };
  const chosen = v.servedDemand > v.servedMargin && v.secondsDemand <= 1.1 * v.secondsMargin ? 'demand' : 'margin';
  return { ...v, chosen };
}

export const spike: Benchmark = {
  name: 'spike',
  title: 'demand traces through the real policy in virtual time: seed, Agones-like buffer, margins, demand-aware, + waiting',
  run(ctx) {
    ctx.progress('spike: 6 traces × 2 launch latencies × 5 policies');
    const cells = runSpike();
    const rows: BenchRow[] = [];
    const find = (trace: string, latencyS: number, policy: string) => cells.find((c) => c.trace === trace && c.latencyS === latencyS && c.policy === policy)?.result as SimResult;
    for (const trace of [...new Set(cells.map((c) => c.trace))]) {
      for (const latencyS of LATENCIES_S) {
        const margin = find(trace, latencyS, '(c) margins');
        const demand = find(trace, latencyS, '(d) demand');
        const wait = find(trace, latencyS, '(e) demand+wait');
        rows.push(row(`${trace}, T ${latencyS} s: (d) served at once`, 'allocs', demand.atOnce, margin.atOnce, `÷ (c) margins; server-seconds ${(demand.serverSeconds / Math.max(1, margin.serverSeconds)).toFixed(2)}× of (c); (e) sent ${wait.backup} of ${wait.arrivals} to the backup`));
      }
    }
    const v = verdict(cells);
    rows.push(row('all traces: (d) served at once', 'allocs', v.servedDemand, v.servedMargin, '÷ (c) margins, summed over every trace and latency'));
    rows.push(row('all traces: (d) server-seconds', 's', v.secondsDemand, v.secondsMargin, `÷ (c); rule: serve more for ≤ 1.10× → default SCALING_MODE=${v.chosen}`));
    const notes = [
      ...formatTable(cells),
      `capacity ${CAPACITY} seats, margins 4/18, MIN_SERVERS 1, MAX_SERVERS 100, SLEEP_TIME 10 s, SCALE_IN_DELAY 60 s, JOIN_GRACE 3 s, ?wait=${WAIT_S} for (e); sessions log-normal, median 150 s; seed ${SEED}`,
      'jump column: of the arrivals in the first T seconds after the jump, how many were served at once ≤ the bound B + freed (B = idle seats in rotation at the jump, freed = seats sessions gave back in that window): no launch can help before T, so no policy can beat B + λ·T minus what arrives',
      'flaps: a launch or a return from standby within 60 s of a standby or a stop',
    ];
    return Promise.resolve({ setup: `${cells.length} runs, virtual time, step 0.25 s`, rows, notes });
  },
};
