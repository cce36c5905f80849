// Manager.allocate() over an active fleet, against the seed's way of choosing: sort every server by
// free capacity on each request and hand out the first, with no memory of what was handed out.
import type { ManualClock } from '../test/support/manual-clock.js';
import { startFakeFleet, type FakeFleet } from './fake-fleet.js';
import { compareRates, row, summarize, type Benchmark } from './harness.js';

const SERVERS = 200;
const CAPACITY = 10;
/** Allocations per round: about half the free slots, so no round runs out of room. */
const PER_ROUND = 400;
const ROUNDS = 15;
/** Reservations left in the book (issued before the last poll, younger than the TTL) for the load row. */
const BACKLOG = 20_000;

interface SeedServer {
  id: string;
  host: string;
  port: number;
  capacity: number;
}

/** The seed's selection: a full sort per request, most room first, no reservation. */
export function seedAllocate(servers: readonly SeedServer[]): SeedServer | undefined {
  const sorted = [...servers].sort((a, b) => b.capacity - a.capacity);
  const first = sorted[0];
  return first && first.capacity > 0 ? first : undefined;
}

/** Forgets every reservation and polls again, as if a TTL had passed; not timed. */
async function resetFleet(fleet: FakeFleet, ttlMs: number): Promise<number> {
  const started = performance.now();
  (fleet.clock as ManualClock).advance(ttlMs + 1);
  await fleet.manager.runTick();
  await fleet.manager.runPolls();
  return performance.now() - started;
}

export const allocationCore: Benchmark = {
  name: 'allocation-core',
  title: 'Manager.allocate() in process vs the seed-style sort-per-request',
  async run(ctx) {
    const ttlMs = 30_000;
    const fleet = await startFakeFleet({ servers: SERVERS, capacity: CAPACITY, busyFraction: 0.5, reservationTtlMs: ttlMs });
    try {
      const seedFleet: SeedServer[] = fleet.capacities.map((c) => ({ ...c }));
      let sink = 0;
      const latencies: number[] = [];
      const allocateRound = async (withSession: boolean, record: boolean): Promise<number> => {
        for (let i = 0; i < PER_ROUND; i++) {
          const t0 = performance.now();
          const result = fleet.manager.allocate(withSession ? `s-${sink}` : undefined);
          if (record) latencies.push(performance.now() - t0);
          if (result.kind !== 'server') throw new Error(`allocation-core: round ran out of room (${result.kind})`);
          sink += 1;
        }
        return resetFleet(fleet, ttlMs);
      };
      const seedRound = (): void => {
        for (let i = 0; i < PER_ROUND; i++) if (seedAllocate(seedFleet)) sink += 1;
      };
      ctx.progress('allocation-core: warming up');
      await compareRates({ rounds: 3, opsPerRound: PER_ROUND, ours: () => allocateRound(false, false), baseline: seedRound });

      ctx.progress('allocation-core: measuring');
      const plain = await compareRates({ rounds: ROUNDS, opsPerRound: PER_ROUND, ours: () => allocateRound(false, true), baseline: seedRound });
      const lat = summarize(latencies);
      const sessions = await compareRates({ rounds: ROUNDS, opsPerRound: PER_ROUND, ours: () => allocateRound(true, false), baseline: seedRound });

      // Under sustained load the book holds every reservation younger than the TTL, and each
      // allocation walks the lists of every server in rotation (ReservationBook.pendingSince).
      ctx.progress('allocation-core: measuring with a reservation backlog');
      const loaded = await startFakeFleet({ servers: SERVERS, capacity: 1_000, busyFraction: 0, reservationTtlMs: ttlMs });
      let loadedRate: number;
      try {
        for (let i = 0; i < BACKLOG; i++) loaded.manager.allocate();
        (loaded.clock as ManualClock).advance(2_000);
        await loaded.manager.runPolls();
        const started = performance.now();
        for (let i = 0; i < PER_ROUND * 5; i++) loaded.manager.allocate();
        loadedRate = (PER_ROUND * 5) / ((performance.now() - started) / 1000);
      } finally {
        await loaded.close();
      }

      return {
        setup: `${SERVERS} active servers (FakeBackend + FakeProber), capacity ${CAPACITY}, half-full at random; ${ROUNDS} alternating rounds of ${PER_ROUND} allocations, reset between rounds; strategy packed`,
        rows: [
          row('allocations/s', '/s', plain.ours, plain.baseline, 'ours ÷ seed-style sort; > 1 means faster, with reservations'),
          row('allocations/s with ?session=', '/s', sessions.ours, sessions.baseline, 'idempotent session ids cost this much on top'),
          row('allocate() p50', 'µs', lat.p50 * 1000, null, 'one call, including metrics'),
          row('allocate() p99', 'µs', lat.p99 * 1000, null, 'one call, including metrics'),
          row(
            `allocations/s, ${BACKLOG.toLocaleString('en-US')} live reservations`,
            '/s',
            loadedRate,
            plain.ours,
            'vs an empty book; < 1 is the cost of walking reservations younger than the TTL',
          ),
        ],
        notes: [
          `seed-style baseline sorts a copy of ${SERVERS} servers per request and reserves nothing, so it would hand one slot out many times`,
          `sink ${sink} (keeps the work from being optimised away)`,
        ],
      };
    } finally {
      await fleet.close();
    }
  },
};
