// A real Manager over the in-memory backend and prober of test/support: every server active, with
// the capacity a seeded random draw gives it, and margins that keep the policy from touching the fleet.
import { createSilentLogger } from '../src/shared/log.js';
import type { Clock } from '../src/shared/clock.js';
import { ManualClock } from '../test/support/manual-clock.js';
import { Manager } from '../src/manager/manager.js';
import { createManager } from '../src/manager/create-manager.js';
import { FakeBackend, FakeProber, makeManagerConfig } from '../test/support/factories.js';
import { seededRandom } from './harness.js';

export interface FakeFleetOptions {
  servers: number;
  /** max_capacity of every gameserver. */
  capacity: number;
  /** Each server starts with a random number of sessions in [0, capacity × busyFraction). */
  busyFraction: number;
  /** A ManualClock unless given; the HTTP benchmark runs on the system clock. */
  clock?: Clock;
  pollIntervalMs?: number;
  reservationTtlMs?: number;
  seed?: number;
}

export interface FakeFleet {
  manager: Manager;
  backend: FakeBackend;
  prober: FakeProber;
  clock: Clock;
  /** Reported free slots per server, in server order (for a baseline over the same fleet). */
  capacities: Array<{ id: string; host: string; port: number; capacity: number }>;
  close(): Promise<void>;
}

export async function startFakeFleet(options: FakeFleetOptions): Promise<FakeFleet> {
  const clock = options.clock ?? new ManualClock();
  const backend = new FakeBackend({ clock, launchStatus: 'running' });
  const prober = new FakeProber({ capacity: options.capacity });
  const random = seededRandom(options.seed ?? 42);
  const capacities: FakeFleet['capacities'] = [];
  for (let i = 0; i < options.servers; i++) {
    const server = backend.add({ status: 'running' });
    const host = server.host as string;
    const g = prober.server(host);
    g.sessions = Math.floor(random() * options.capacity * options.busyFraction);
    capacities.push({ id: server.id, host, port: server.ports?.game ?? 3000, capacity: g.maxCapacity - g.sessions });
  }
  const config = makeManagerConfig({
    // No scale-in and no scale-out: the benchmark measures allocation, not the policy.
    scaling: {
      downscaleMargin: 1_000_000_000,
      upscaleMargin: 0,
      minServers: 0,
      maxServers: options.servers,
      reservationTtlMs: options.reservationTtlMs ?? 30_000,
      capacity: options.capacity,
    },
    health: { pollIntervalMs: options.pollIntervalMs ?? 60_000, concurrency: 64 },
    backup: null,
  });
  const manager = createManager({ config, backend, prober, clock, logger: createSilentLogger() });
  await manager.runTick();
  await manager.runPolls();
  const inRotation = manager.rotation().length;
  if (inRotation !== options.servers) {
    await manager.close();
    throw new Error(`fake fleet: ${inRotation} of ${options.servers} servers in rotation after the first poll`);
  }
  return {
    manager,
    backend,
    prober,
    clock,
    capacities,
    close: async () => {
      await manager.close();
      await backend.close();
      await prober.close();
    },
  };
}
