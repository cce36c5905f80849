// GET /available-server/ through the real express app on 127.0.0.1, against a bare node:http server in
// the same process answering a static body of the same size: the floor of what one HTTP round trip costs.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { createApp } from '../src/api/app.js';
import type { ApiDeps, ManagerApi } from '../src/api/deps.js';
import type { Allocation } from '../src/manager/manager.js';
import { createSilentLogger } from '../src/shared/log.js';
import { systemClock } from '../src/shared/clock.js';
import { startFakeFleet } from './fake-fleet.js';
import { row, summarize, type Benchmark, type LatencySummary } from './harness.js';

const SERVERS = 200;
const REQUESTS = 20_000;
const WARMUP = 2_000;
const CONCURRENCY = 32;
const AGONES_LOW = 76;
const AGONES_HIGH = 400;

interface LoadResult {
  perSecond: number;
  latency: LatencySummary;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** `count` GETs of `path` from CONCURRENCY keep-alive connections; every answer must be 200. */
async function load(origin: string, path: string, count: number): Promise<LoadResult> {
  const pool = new Pool(origin, { connections: CONCURRENCY, pipelining: 1, keepAliveTimeout: 10_000 });
  const latencies: number[] = [];
  let issued = 0;
  try {
    const worker = async (): Promise<void> => {
      while (issued < count) {
        issued += 1;
        const t0 = performance.now();
        const res = await pool.request({ path, method: 'GET' });
        const body = await res.body.text();
        latencies.push(performance.now() - t0);
        if (res.statusCode !== 200) throw new Error(`allocation-http: ${path} answered ${res.statusCode}: ${body.slice(0, 200)}`);
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()));
    const seconds = (performance.now() - started) / 1000;
    return { perSecond: count / seconds, latency: summarize(latencies) };
  } finally {
    await pool.close();
  }
}

export const allocationHttp: Benchmark = {
  name: 'allocation-http',
  title: 'GET /available-server/ through express vs a bare node:http floor',
  async run(ctx) {
    // The production shape: system clock, polls every 2 s, capacity that 20,000 requests cannot exhaust.
    const fleet = await startFakeFleet({ servers: SERVERS, capacity: 1_000, busyFraction: 0.5, clock: systemClock, pollIntervalMs: 2_000 });
    const deps = (manager: ManagerApi): ApiDeps => ({
      manager,
      logger: createSilentLogger(),
      registry: fleet.manager.metrics.registry,
      security: {
        adminToken: undefined,
        allocateToken: undefined,
        heartbeatToken: undefined,
        corsOrigins: ['*'],
        // The per-client limiter stays in the path (its cost is part of the route), set high enough not to refuse.
        allocateRateLimitPerMinute: 1_000_000,
        trustProxy: undefined,
      },
    });
    const ours = createServer(createApp(deps(fleet.manager)));
    // The same app with an allocator that does no work: what express and its middleware cost alone.
    const fixedAllocation: Allocation = {
      kind: 'server',
      reused: false,
      server: { id: 'stub', name: 'stub', host: '10.0.0.1', ports: { game: 3000, web: 3080, health: 3080 } },
    };
    const stubManager = { ...fleet.manager, allocate: (): Allocation => fixedAllocation } as unknown as ManagerApi;
    const stub = createServer(createApp(deps(stubManager)));
    let floor: Server | null = null;
    try {
      await fleet.manager.start();
      const oursUrl = await listen(ours);
      // The floor answers with one of our own answers, byte for byte, written directly.
      const fixed = Buffer.from(await (await fetch(`${oursUrl}/available-server/`)).text());
      floor = createServer((req, res) => {
        req.resume();
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': fixed.length, 'cache-control': 'no-store' });
        res.end(fixed);
      });
      const floorUrl = await listen(floor);
      const stubUrl = await listen(stub);

      ctx.progress('allocation-http: warming up');
      await load(oursUrl, '/available-server/', WARMUP);
      await load(floorUrl, '/available-server/', WARMUP);
      await load(stubUrl, '/available-server/', WARMUP);
      ctx.progress(`allocation-http: ${REQUESTS} requests each`);
      const floorRun = await load(floorUrl, '/available-server/', REQUESTS);
      const stubRun = await load(stubUrl, '/available-server/', REQUESTS);
      const oursRun = await load(oursUrl, '/available-server/', REQUESTS);

      return {
        setup: `${SERVERS} active servers, real express app (helmet, cors, rate limiter, zod query check, metrics), undici Pool of ${CONCURRENCY} keep-alive connections, ${REQUESTS.toLocaleString('en-US')} requests after ${WARMUP.toLocaleString('en-US')} warm-up; client and server share the process`,
        rows: [
          row('allocations/s', '/s', oursRun.perSecond, floorRun.perSecond, 'ours ÷ bare HTTP floor; the share of HTTP capacity left after the app'),
          row('app with a no-op allocator', '/s', stubRun.perSecond, floorRun.perSecond, 'express + middleware alone ÷ floor; the gap to the row above is the manager'),
          row('p50 latency', 'ms', oursRun.latency.p50, floorRun.latency.p50, `at concurrency ${CONCURRENCY}; includes queueing`),
          row('p99 latency', 'ms', oursRun.latency.p99, floorRun.latency.p99, `at concurrency ${CONCURRENCY}; includes queueing`),
          row('vs Agones, low anchor', '/s', oursRun.perSecond, AGONES_LOW, 'Agones allocations/s on a multi-node GKE cluster (low end)'),
          row('vs Agones, high anchor', '/s', oursRun.perSecond, AGONES_HIGH, 'Agones allocations/s (high end); a lone Agones request may wait 500 ms'),
        ],
        notes: [
          `answer body ${fixed.length} bytes; the floor sends the same bytes with no routing, middleware or allocation`,
          'Agones figures are from a multi-node cluster over the network; ours is one process on loopback: the ratio bounds the manager, not a deployment',
        ],
      };
    } finally {
      await closeServer(ours);
      await closeServer(stub);
      if (floor) await closeServer(floor);
      await fleet.close();
    }
  },
};
