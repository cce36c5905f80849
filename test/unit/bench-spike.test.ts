// bench/spike's simulator and verdict: deterministic, within the B + λ·T bound, and the waiting policy's promise.
import { describe, expect, it } from 'vitest';
import { makePolicies } from '../../bench/spike-policies.js';
import { simulate } from '../../bench/spike-sim.js';
import { makeTraces, seededRandom } from '../../bench/spike-traces.js';
import { verdict, type SpikeCell } from '../../bench/spike.js';

const trace = (name: string) => {
  const t = makeTraces(7).find((x) => x.name === name);
  if (!t) throw new Error(name);
  return t;
};
const policy = (name: string) => {
  const p = makePolicies().find((x) => x.name.includes(name));
  if (!p) throw new Error(name);
  return p;
};

describe('bench/spike', () => {
  it('replays the same trace to the same result (seeded)', () => {
    const a = simulate(trace('spike'), policy('(d)'), 5, seededRandom(1));
    const b = simulate(trace('spike'), policy('(d)'), 5, seededRandom(1));
    expect(a).toEqual(b);
    expect(a.atOnce + a.afterWait + a.backup).toBe(a.arrivals);
  });

  it.each(['(a)', '(b)', '(c)', '(d)', '(e)'])('%s serves at once no more of the jump than B + freed seats allow', (name) => {
    const r = simulate(trace('spike'), policy(name), 57, seededRandom(2));
    expect(r.jump).toBeDefined();
    const j = r.jump as NonNullable<typeof r.jump>;
    expect(j.atOnce).toBeLessThanOrEqual(Math.min(j.arrivals, j.idleAtJump + j.freed));
  });

  it('waiting allocations that cover the launch latency send no one to the backup; without waiting the spike does', () => {
    const waited = simulate(trace('spike'), policy('(e)'), 5, seededRandom(3));
    expect(waited.backup).toBe(0);
    expect(waited.afterWait).toBeGreaterThan(0);
    expect(simulate(trace('spike'), policy('(c)'), 5, seededRandom(3)).backup).toBeGreaterThan(100);
  });

  it('the scale-in window keeps the polling client from flapping the margin policy', () => {
    const r = simulate(trace('polling'), policy('(c)'), 5, seededRandom(4));
    expect(r.flaps).toBe(0);
    expect(r.launches).toBeLessThanOrEqual(8);
  });

  it('the verdict follows the issue rule: more served at once for at most 10 % more server-seconds', () => {
    const cell = (p: string, atOnce: number, serverSeconds: number): SpikeCell =>
      ({ trace: 't', latencyS: 5, policy: p, result: { atOnce, serverSeconds } }) as unknown as SpikeCell;
    expect(verdict([cell('(c) margins', 100, 1000), cell('(d) demand', 110, 1100)]).chosen).toBe('demand');
    expect(verdict([cell('(c) margins', 100, 1000), cell('(d) demand', 110, 1101)]).chosen).toBe('margin');
    expect(verdict([cell('(c) margins', 100, 1000), cell('(d) demand', 100, 900)]).chosen).toBe('margin');
  });
});
