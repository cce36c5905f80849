// Demand traces for bench/spike, in virtual time: when allocations arrive, whether each client joins, and how long
// its session lasts. Seeded, so every run replays the same demand and the policies are compared on equal terms.

import { seededRandom } from './harness.js';

// One seeded PRNG for every benchmark (mulberry32, in the harness), re-exported for the spike test.
export { seededRandom };

export interface Arrival {
  /** Seconds from the start of the trace. */
  at: number;
  /** Whether the client takes its seat (a player, a match); a polling client never does. */
  joins: boolean;
  /** How long the session holds its seat, seconds (unused when it never joins). */
  sessionS: number;
}

export interface Trace {
  name: string;
  /** What the trace stands for, one line. */
  about: string;
  durationS: number;
  arrivals: Arrival[];
  /** The moment demand jumps (spike, queue), for the B + λ·T bound; undefined for traces without a jump. */
  jumpAt?: number;
}

/** Session lengths: log-normal, median 150 s, σ 0.5 (a few minutes, a long tail), capped at 20 minutes. */
function sessionLength(rand: () => number): number {
  const u1 = Math.max(rand(), 1e-12);
  const u2 = rand();
  const normal = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  return Math.min(1200, 150 * Math.exp(0.5 * normal));
}

/** Poisson arrivals of rate `lambda(t)` per second, by thinning against `maxLambda`. */
function poisson(rand: () => number, durationS: number, maxLambda: number, lambda: (t: number) => number, joins = true): Arrival[] {
  const out: Arrival[] = [];
  if (maxLambda <= 0) return out;
  let t = 0;
  for (;;) {
    t += -Math.log(Math.max(rand(), 1e-12)) / maxLambda;
    if (t >= durationS) return out;
    if (rand() * maxLambda <= lambda(t)) out.push({ at: t, joins, sessionS: sessionLength(rand) });
  }
}

export function makeTraces(seed: number): Trace[] {
  const rand = seededRandom(seed);
  const byTime = (list: Arrival[]) => list.sort((a, b) => a.at - b.at);
  const steady = 0.5;
  const polling: Arrival[] = [];
  for (let i = 0; i < 900 * 10; i++) polling.push({ at: i / 10 + 0.05, joins: false, sessionS: 0 });
  const queue: Arrival[] = Array.from({ length: 500 }, (_, i) => ({ at: 120 + i * 0.002, joins: true, sessionS: sessionLength(rand) }));
  return [
    { name: 'steady', about: '0.5 allocations/s for 30 min (≈ 75 seats in use)', durationS: 1800, arrivals: poisson(rand, 1800, steady, () => steady) },
    {
      name: 'spike',
      about: '0.5/s, then 5/s (10×) for 5 min at 10 min, then 0.5/s',
      durationS: 1800,
      jumpAt: 600,
      arrivals: poisson(rand, 1800, 5, (t) => (t >= 600 && t < 900 ? 5 : steady)),
    },
    {
      name: 'daily',
      about: 'a day compressed to 4 h: 0.05/s at night to 1.5/s at the peak, a smooth curve',
      durationS: 4 * 3600,
      arrivals: poisson(rand, 4 * 3600, 1.5, (t) => 0.05 + 1.45 * (1 - Math.cos((2 * Math.PI * t) / (4 * 3600))) / 2),
    },
    { name: 'drop', about: '1/s for 15 min, then nothing for 25 min', durationS: 2400, arrivals: poisson(rand, 2400, 1, (t) => (t < 900 ? 1 : 0)) },
    {
      name: 'polling',
      about: 'one client polls 10×/s for 15 min and never joins, beside 0.1 players/s',
      durationS: 900,
      arrivals: byTime([...polling, ...poisson(rand, 900, 0.1, () => 0.1)]),
    },
    {
      name: 'arena-queue',
      about: '500 queued matches appear at once at 2 min, beside 0.05/s',
      durationS: 1800,
      jumpAt: 120,
      arrivals: byTime([...queue, ...poisson(rand, 1800, 0.05, () => 0.05)]),
    },
  ];
}
