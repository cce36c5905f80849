// decideScale over large fleets, against the one pass no policy can avoid: summing free capacity.
import { decideScale, type PolicyConfig, type PolicyServer, type PolicySnapshot } from '../src/manager/policy.js';
import type { ServerState } from '../src/manager/types.js';
import { makePolicyConfig, makePolicyServer } from '../test/support/factories.js';
import { compareRates, row, seededRandom, type BenchRow, type Benchmark } from './harness.js';

const SIZES = [1_000, 10_000];
const CAPACITY = 10;

/** A fleet mostly active and part-full, with some standby, pending, stopping and unhealthy servers. */
export function makeFleetSnapshot(size: number, seed: number): PolicySnapshot {
  const random = seededRandom(seed);
  const servers: PolicyServer[] = [];
  for (let i = 0; i < size; i++) {
    const roll = random();
    const state: ServerState = roll < 0.85 ? 'active' : roll < 0.93 ? 'standby' : roll < 0.97 ? 'pending' : roll < 0.99 ? 'stopping' : 'unhealthy';
    const sessions = state === 'active' || state === 'standby' ? Math.floor(random() * (CAPACITY + 1)) : 0;
    servers.push(
      makePolicyServer({
        id: `arn:aws:ecs:us-east-1:123456789012:task/default/${i.toString(16).padStart(32, '0')}`,
        state,
        effectiveCapacity: state === 'active' ? CAPACITY - sessions : 0,
        restorableCapacity: state === 'standby' ? CAPACITY - sessions : 0,
        sessions,
        reservations: state === 'active' && random() < 0.1 ? 1 : 0,
        readyToClose: state === 'standby' && sessions === 0,
        healthy: state !== 'unhealthy',
        launchedAt: 1_700_000_000_000 + i * 1000,
        busy: random() < 0.01,
      }),
    );
  }
  return { servers, paused: false };
}

/** The unavoidable work: one pass that sums what is free. */
export function sumFree(snapshot: PolicySnapshot, capacity: number): number {
  let free = 0;
  for (const s of snapshot.servers) {
    if (s.state === 'active') free += s.effectiveCapacity;
    else if (s.state === 'pending') free += capacity;
  }
  return free;
}

export const policy: Benchmark = {
  name: 'policy',
  title: 'decideScale over large fleets vs a single capacity-summing pass',
  async run(ctx) {
    const rows: BenchRow[] = [];
    const notes: string[] = [];
    let sink = 0;
    for (const size of SIZES) {
      const snapshot = makeFleetSnapshot(size, size);
      const now = 1_700_000_000_000 + size * 1000 + 60_000;
      // Scale-in is the costly branch (it sorts the active servers); the seed margins put a large,
      // part-empty fleet there. The margin case costs only the first passes.
      const scaleIn: PolicyConfig = makePolicyConfig({ capacity: CAPACITY, maxServers: size * 2, minServers: 1 });
      const free = sumFree(snapshot, CAPACITY);
      const steady: PolicyConfig = makePolicyConfig({
        capacity: CAPACITY,
        maxServers: size * 2,
        upscaleMargin: free - CAPACITY,
        downscaleMargin: free + CAPACITY * 2,
      });
      const calls = size >= 10_000 ? 20 : 200;
      ctx.progress(`policy: ${size} servers`);
      for (const [label, config] of [
        ['scale-in', scaleIn],
        ['within margins', steady],
      ] as const) {
        const decisions = decideScale(snapshot, config, now);
        const rates = await compareRates({
          rounds: 7,
          opsPerRound: calls,
          ours: () => {
            for (let i = 0; i < calls; i++) sink += decideScale(snapshot, config, now).length;
          },
          baseline: () => {
            for (let i = 0; i < calls; i++) sink += sumFree(snapshot, CAPACITY);
          },
        });
        const oursMs = 1000 / rates.ours;
        const baselineMs = 1000 / rates.baseline;
        rows.push(
          row(
            `${size.toLocaleString('en-US')} servers, ${label}`,
            'ms',
            oursMs,
            baselineMs,
            `times one summing pass; ${Math.round(rates.ours).toLocaleString('en-US')} decideScale/s, ${decisions.length} decisions`,
          ),
        );
      }
    }
    notes.push('ratio = time of one decideScale ÷ time of one capacity-summing pass over the same snapshot (the overhead of the full policy)');
    notes.push('scale-in sorts the active servers (emptiest first); within margins it filters and sums only');
    notes.push(`sink ${sink}`);
    return {
      setup: `snapshots of ${SIZES.join(' and ')} servers (85% active, 8% standby, 4% pending, 2% stopping, 1% unhealthy), capacity ${CAPACITY}, seed margins 4/18 for scale-in`,
      rows,
      notes,
    };
  },
};
