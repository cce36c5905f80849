// 100 concurrent clients making 10,000 allocations over HTTP: no server is handed more sessions than
// the room it reported, and ?session= stays idempotent (the same id always gets the same server).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { startSim, type Sim } from '../../sim/index.js';
import { waitFor } from '../support/wait.js';
import { startInProcessFleet, type InProcessFleet } from './support/in-process.js';

const FLEET = 'chaos-storm';
const SERVERS = 5;
const CAP = 10;
const CLIENTS = 100;
const PER_CLIENT = 100;
const IDS_PER_CLIENT = 10;
let sim: Sim;
let fleet: InProcessFleet;
let http: Server;
let base: string;

beforeAll(async () => {
  sim = await startSim({ launchLatencyMs: 30, throttling: false, defaultCapacity: CAP });
  sim.admin.createTasks({ startedBy: FLEET, count: SERVERS });
  await waitFor(() => sim.admin.tasks().filter((t) => t.lastStatus === 'RUNNING').length === SERVERS, { what: 'tasks running' });
  // One poll at start and none during the storm: each server's room is what that poll reported, and
  // reservations (an hour long) are the only thing that may take it.
  fleet = await startInProcessFleet(sim, FLEET, {
    scaling: { minServers: SERVERS, maxServers: SERVERS, capacity: CAP, sleepMs: 60_000, reservationTtlMs: 3_600_000 },
    health: { pollIntervalMs: 600_000, resyncIntervalMs: 600_000 },
  });
  expect(fleet.manager.servers().filter((s) => s.state === 'active')).toHaveLength(SERVERS);
  const security = { adminToken: undefined, allocateToken: undefined, heartbeatToken: undefined, corsOrigins: ['*'], allocateRateLimitPerMinute: 0, trustProxy: undefined };
  const app = createApp({ manager: fleet.manager, logger: fleet.capture.logger, security, registry: new Registry() });
  http = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
}, 20_000);

afterAll(async () => {
  await new Promise<void>((resolve) => {
    if (!http) return resolve();
    http.close(() => resolve());
    http.closeAllConnections();
  });
  await fleet?.close();
  await sim?.close();
});

describe('allocation storm', () => {
  it(`${CLIENTS} clients × ${PER_CLIENT} allocations: never beyond capacity, sessions idempotent`, async () => {
    const serverOf = new Map<string, Set<string>>();
    const statuses = new Map<number, number>();
    let reused = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        for (let i = 0; i < PER_CLIENT; i++) {
          const session = `c${c}-${i % IDS_PER_CLIENT}`;
          const res = await fetch(`${base}/available-server/?session=${session}`);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const body = (await res.json()) as { server_id?: string };
          if (res.status !== 200 || !body.server_id) continue;
          const seen = serverOf.get(session) ?? new Set<string>();
          if (seen.size > 0) reused += 1;
          seen.add(body.server_id);
          serverOf.set(session, seen);
        }
      }),
    );
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(CLIENTS * PER_CLIENT);
    // Idempotent: a session id maps to exactly one server, however often it asked.
    for (const [session, servers] of serverOf) expect(servers.size, session).toBe(1);
    // Capacity: distinct sessions per server never exceed its reported room.
    const perServer = new Map<string, number>();
    for (const servers of serverOf.values()) for (const id of servers) perServer.set(id, (perServer.get(id) ?? 0) + 1);
    for (const [id, count] of perServer) expect(count, id).toBeLessThanOrEqual(CAP);
    // All the room was used, and everything else was told so (503, no backup configured).
    expect(serverOf.size).toBe(SERVERS * CAP);
    expect(reused).toBeGreaterThan(0);
    expect(new Set(statuses.keys())).toEqual(new Set([200, 503]));
    const views = fleet.manager.servers();
    expect(views.every((s) => s.capacity.effective === 0 && s.reservations === CAP)).toBe(true);
  }, 60_000);
});
