// One rung of bench/api-middleware's ladder in its own process: `node dist/bench/api-ladder-server.js RUNG BYTES`.
// Rung 0 is a bare express 5 route answering a JSON body of BYTES bytes; each next rung adds one more piece of
// what the manager's app puts in front of GET /available-server/, taken from the production code itself; the
// last three are createApp with an allocator that does no work, over a fleet of 100 and over 10,000 servers.
// Prints {"port":N} once listening; exits on SIGTERM or when its parent goes.
// The manager's V8 settings (src/main.ts imports the same module first), so each rung measures what production runs.
import '../src/shared/v8-heuristics.js';
import { createServer } from 'node:http';
import express, { type Express, type RequestHandler } from 'express';
import { applySettings, commonMiddleware, createApp } from '../src/api/app.js';
import { requireToken } from '../src/api/auth.js';
import { bornPrototypes } from '../src/api/born-prototypes.js';
import type { ApiDeps, ManagerApi } from '../src/api/deps.js';
import { allocationRateLimit } from '../src/api/rate-limit.js';
import { parseAllocationQuery } from '../src/api/routes/allocation.js';
import type { Allocation } from '../src/manager/manager.js';
import { systemClock } from '../src/shared/clock.js';
import { createSilentLogger } from '../src/shared/log.js';
import { serveForBenchmark } from './child-server.js';
import { startFakeFleet } from './fake-fleet.js';

export const FLEET_SERVERS = 10_000;
/** The same app over a small fleet: what the manager costs a request apart from the fleet's size. */
const SMALL_FLEET = 100;

const security: ApiDeps['security'] = {
  adminToken: undefined,
  allocateToken: undefined,
  heartbeatToken: undefined,
  corsOrigins: ['*'],
  // The per-client limiter stays in the path, set high enough not to refuse.
  allocateRateLimitPerMinute: 100_000_000,
  trustProxy: undefined,
};

type Step = { name: string; handler: RequestHandler };

/** The pieces in front of the allocation handler, in the order a request meets them. */
function pieces(): Step[] {
  const deps = { security, logger: createSilentLogger() };
  return [
    ...commonMiddleware(deps),
    { name: 'rate limit', handler: allocationRateLimit(deps) },
    { name: 'auth', handler: requireToken({ token: undefined, what: 'allocation', whenUnset: 'open', variable: 'ARBITER_ALLOCATE_TOKEN' }) },
    {
      name: 'query check',
      handler: (req, _res, next) => {
        parseAllocationQuery(req);
        next();
      },
    },
  ];
}

/** Rung names, in order: what `RUNG` selects. */
export function rungNames(): string[] {
  return [
    'bare express route',
    'settings (etag, x-powered-by off)',
    ...pieces().map((p) => `+ ${p.name}`),
    'whole app, no-op allocator',
    `whole app, ${SMALL_FLEET} servers`,
    `whole app, ${FLEET_SERVERS.toLocaleString('en-US')} servers`,
  ];
}

const fixedAllocation: Allocation = {
  kind: 'server',
  reused: false,
  server: { id: 'stub', name: 'stub', host: '10.0.0.1', ports: { game: 3000, web: 3080, health: 3080 } },
};

async function handlerFor(rung: number, bytes: number): Promise<Express> {
  const names = rungNames();
  const body = `"${'x'.repeat(bytes - 2)}"`;
  if (rung === 0 || rung < names.length - 3) {
    const app = express();
    if (rung >= 1) applySettings(app, { security });
    for (const step of pieces().slice(0, Math.max(0, rung - 1))) app.use(step.handler);
    // The same route as bench/floor-server's express floor.
    app.get('/available-server', (_req, res) => {
      res.type('application/json').send(body);
    });
    return app;
  }
  const registry = (await import('prom-client')).register;
  if (rung === names.length - 3) {
    const manager = { allocate: (): Allocation => fixedAllocation } as unknown as ManagerApi;
    return createApp({ manager, logger: createSilentLogger(), registry, security });
  }
  // Capacity no run can exhaust; polls every 60 s (the fake prober), so the window measures serving alone.
  const servers = rung === names.length - 2 ? SMALL_FLEET : FLEET_SERVERS;
  const fleet = await startFakeFleet({ servers, capacity: 100_000, busyFraction: 0.5, clock: systemClock });
  return createApp({ manager: fleet.manager, logger: createSilentLogger(), registry: fleet.manager.metrics.registry, security });
}

const isMain = process.argv[1]?.endsWith('api-ladder-server.js') === true;
if (isMain) {
  const [rungArg, bytesArg] = process.argv.slice(2);
  const rung = Number(rungArg);
  const bytes = Number(bytesArg);
  if (!Number.isInteger(rung) || rung < 0 || rung >= rungNames().length || !Number.isInteger(bytes) || bytes < 2 || bytes > 65_536) {
    process.stderr.write(`usage: api-ladder-server.js RUNG(0..${rungNames().length - 1}) BYTES(2..65536)\n`);
    process.exit(2);
  }
  const app = await handlerFor(rung, bytes);
  // Rung 0 is express as it ships; from rung 1 the server is the manager's (src/main.ts): requests and responses
  // born with the app's prototypes.
  if (rung === 0) serveForBenchmark(createServer(app));
  else {
    const prototypes = bornPrototypes();
    prototypes.adopt(app);
    serveForBenchmark(createServer(prototypes.serverOptions, app));
  }
}
