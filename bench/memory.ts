// Heap bytes per server record (Fleet) and per reservation (ReservationBook), against the same number
// of plain {id, host, port} objects: the least any manager must keep per server.
import { Fleet } from '../src/manager/fleet.js';
import { ReservationBook } from '../src/manager/reservations.js';
import type { BackendServer } from '../src/manager/types.js';
import { row, type Benchmark } from './harness.js';
import { pollMemory } from './poll-memory.js';

const SERVERS = 10_000;
const RESERVATIONS = 100_000;
/** Gameservers polled for the per-connection figure (each a listener in this process). */
const POLLED = 1_000;

function collect(): void {
  const gc = globalThis.gc;
  if (typeof gc === 'function') {
    gc();
    gc();
  }
}

function heapUsed(): number {
  collect();
  return process.memoryUsage().heapUsed;
}

/** ECS task ARNs and awsvpc addresses, built fresh for every use so no string is shared between runs. */
function taskArn(i: number): string {
  return ['arn:aws:ecs:us-east-1:123456789012:task/default/', i.toString(16).padStart(32, '0')].join('');
}

function hostOf(i: number): string {
  return ['10', String((i >> 16) & 255), String((i >> 8) & 255), String(i & 255)].join('.');
}

function backendServer(i: number): BackendServer {
  return {
    id: taskArn(i),
    name: `arbiter-${i.toString(16).padStart(12, '0')}`,
    host: hostOf(i),
    ports: { game: 3000, web: 3080, health: 3080 },
    status: 'running',
    standby: false,
    launchedAt: 1_700_000_000_000 + i,
  };
}

/** Heap growth while `build` creates what it returns (kept alive until measured). */
function measure<T>(build: () => T): { bytes: number; keep: T } {
  const before = heapUsed();
  const keep = build();
  const bytes = heapUsed() - before;
  return { bytes, keep };
}

export const memory: Benchmark = {
  name: 'memory',
  title: 'heap per server record and per reservation vs plain {id, host, port} objects',
  async run(ctx) {
    if (!ctx.gcAvailable) ctx.progress('memory: global.gc is not available; figures include garbage and are rough');
    const now = 1_700_000_100_000;
    ctx.progress(`memory: ${SERVERS} servers, ${RESERVATIONS} reservations`);

    const plainServers = measure(() => Array.from({ length: SERVERS }, (_, i) => ({ id: taskArn(i), host: hostOf(i), port: 3000 })));
    const fleet = measure(() => {
      const f = new Fleet({ failThreshold: 3, listingGraceMs: 60_000 });
      f.applyObservation(
        Array.from({ length: SERVERS }, (_, i) => backendServer(i)),
        now,
        true,
      );
      for (let i = 0; i < SERVERS; i++) {
        f.applyReport(taskArn(i), { availableCapacity: 5, readyToClose: false, maxCapacity: 10, activeSessions: 5, draining: false }, now, now, 'poll');
      }
      return f;
    });
    const ids = fleet.keep.all().map((r) => r.id);

    const plainReservations = measure(() => Array.from({ length: RESERVATIONS }, (_, i) => ({ id: ids[i % SERVERS] as string, host: hostOf(i % SERVERS), port: 3000 })));
    const book = measure(() => {
      const b = new ReservationBook(30_000);
      for (let i = 0; i < RESERVATIONS; i++) b.add(ids[i % SERVERS] as string, undefined, now + i);
      return b;
    });
    const withSessions = measure(() => {
      const b = new ReservationBook(30_000);
      for (let i = 0; i < RESERVATIONS; i++) b.add(ids[i % SERVERS] as string, `arena_${i}_alice_v_bob`, now + i);
      return b;
    });

    ctx.progress(`memory: polling ${POLLED} gameservers`);
    const polled = await pollMemory(POLLED);
    const perServer = fleet.bytes / SERVERS;
    const perPlainServer = plainServers.bytes / SERVERS;
    const perReservation = book.bytes / RESERVATIONS;
    const perSessionReservation = withSessions.bytes / RESERVATIONS;
    const perPlainReservation = plainReservations.bytes / RESERVATIONS;
    // Keep everything alive until every figure is taken.
    const alive = [plainServers.keep.length, fleet.keep.size(), plainReservations.keep.length, book.keep.size(), withSessions.keep.size()];
    return {
      setup: `${SERVERS.toLocaleString('en-US')} servers in a Fleet (ECS task ARNs, one health report each), ${RESERVATIONS.toLocaleString('en-US')} reservations spread over them; heapUsed after gc${ctx.gcAvailable ? '' : ' (gc NOT available)'}`,
      rows: [
        row('bytes per server record', 'B', perServer, perPlainServer, 'Fleet record (with its id, name, ports, report, map entry) ÷ plain {id, host, port}'),
        row('bytes per reservation', 'B', perReservation, perPlainReservation, 'reservation without session id (shares the server id) ÷ plain object'),
        row('bytes per reservation with session id', 'B', perSessionReservation, perPlainReservation, 'includes the session id string and its index entry'),
        row('fleet of 10,000 + 100,000 reservations', 'MiB', (fleet.bytes + withSessions.bytes) / 2 ** 20, null, 'what the manager holds at that size'),
        row('heap per polled gameserver (HttpProber)', 'B', polled.prober, polled.nodeHttp, `kept-alive connection and client state, ${POLLED} servers polled twice ÷ a bare node:http keep-alive Agent`),
        row('heap per polled gameserver, undici Client per server', 'B', polled.undiciClient, polled.prober, 'the prober before it moved to node:http (undici, connections: 1) ÷ the prober now'),
      ],
      notes: [`objects alive at measurement: ${alive.join(', ')}`],
    };
  },
};
