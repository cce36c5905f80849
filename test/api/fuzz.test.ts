// Properties: whatever a client sends to allocation, heartbeat or admin routes, the answer is a 2xx
// or a 4xx with the JSON error shape — never a 5xx, never a dropped connection.
import { createServer, type Server } from 'node:http';
import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { createSilentLogger } from '../../src/shared/log.js';
import { ManualClock } from '../support/manual-clock.js';
import { Manager } from '../../src/manager/manager.js';
import { createManager } from '../../src/manager/create-manager.js';
import { FakeBackend, FakeProber, makeManagerConfig } from '../support/factories.js';
import { ADMIN_TOKEN, HEARTBEAT_TOKEN, makeSecurity } from './api-fakes.js';

let server: Server;
let manager: Manager;
let serverIds: string[] = [];

beforeAll(async () => {
  const clock = new ManualClock();
  const backend = new FakeBackend({ clock });
  backend.add({ status: 'running' });
  backend.add({ status: 'running' });
  manager = createManager({
    config: makeManagerConfig({ scaling: { maxServers: 2, upscaleMargin: 0, downscaleMargin: 100 } }),
    backend,
    prober: new FakeProber(),
    clock,
    logger: createSilentLogger(),
  });
  await manager.runTick();
  await manager.runPolls();
  serverIds = manager.servers().map((s) => s.id);
  const app = createApp({
    manager,
    logger: createSilentLogger(),
    security: makeSecurity({ adminToken: ADMIN_TOKEN, heartbeatToken: HEARTBEAT_TOKEN, allocateRateLimitPerMinute: 1_000_000 }),
    registry: manager.metrics.registry,
  });
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await new Promise<void>((resolve) => {
    if (!server) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
  await manager?.close();
});

function expectWellFormed(res: request.Response): void {
  expect(res.status, res.text).toBeGreaterThanOrEqual(200);
  expect(res.status, res.text).toBeLessThan(500);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  if (res.status >= 400) {
    expect(typeof res.body.error).toBe('string');
    expect(typeof res.body.code).toBe('string');
  }
}

/** Characters a URL may carry unescaped, plus the ones query parsers treat specially. */
const queryChar = fc.constantFrom(...'abcsesionSESSION_0123456789-.:@[]=&%+/?!$\'()*,;~'.split(''));
const percentByte = fc.integer({ min: 0, max: 255 }).map((n) => `%${n.toString(16).padStart(2, '0').toUpperCase()}`);
const brokenPercent = fc.constantFrom('%', '%G1', '%E0%A4%A', '%C3', '%%', '%u0041');
const queryPiece = fc.oneof(fc.string({ unit: queryChar, maxLength: 6 }), percentByte, brokenPercent, fc.constantFrom('session=', '_=', '__proto__=', 'constructor=', 'session[]=', '&'));
const queryString = fc.array(queryPiece, { maxLength: 12 }).map((parts) => parts.join(''));

const ALLOCATION_PATHS = ['/available-server/', '/available-server', '/available-gameserver/', '/available-gameserver', '/available-server-list/', '/available-gameserver-list'];

const printableAscii = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 80 });
const authHeader = fc.oneof(
  fc.constant(`Bearer ${ADMIN_TOKEN}`),
  fc.constant(`Bearer ${HEARTBEAT_TOKEN}`),
  printableAscii,
  printableAscii.map((s) => `Bearer ${s}`),
);

const healthValue = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.string({ maxLength: 10 }), fc.constant(null), fc.jsonValue({ maxDepth: 2 }));
const heartbeatLike = fc.record(
  {
    server_id: fc.oneof(fc.constantFrom(...['srv-1', 'srv-2', 'ghost', '']), fc.string({ maxLength: 40 }), healthValue),
    available_capacity: healthValue,
    ready_to_close: healthValue,
    max_capacity: healthValue,
    active_sessions: healthValue,
    draining: healthValue,
  },
  { requiredKeys: [] },
);
const jsonBody = fc.oneof(fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)), heartbeatLike.map((v) => JSON.stringify(v)), fc.string({ maxLength: 60 }));

const RUNS = { numRuns: 150 };

describe('fuzzing the API', () => {
  it('allocation and list routes answer 2xx or a 4xx JSON error for any query string', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ALLOCATION_PATHS), queryString, async (path, query) => {
        const res = await request(server).get(`${path}?${query}`);
        expectWellFormed(res);
      }),
      RUNS,
    );
  });

  it('heartbeat answers 2xx or a 4xx JSON error for any body and header', async () => {
    await fc.assert(
      fc.asyncProperty(jsonBody, authHeader, fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded'), async (body, auth, type) => {
        const res = await request(server).post('/api/heartbeat').set('Authorization', auth).set('Content-Type', type).send(body);
        expectWellFormed(res);
      }),
      RUNS,
    );
  });

  it('admin routes answer 2xx or a 4xx JSON error for any id, body and header', async () => {
    const idPiece = fc.oneof(
      fc.constantFrom(...serverIds, 'ghost'),
      fc.string({ maxLength: 30 }).map((s) => encodeURIComponent(s)),
      fc.array(fc.oneof(fc.string({ unit: queryChar, maxLength: 4 }), percentByte, brokenPercent), { maxLength: 5 }).map((p) => p.join('').replace(/[?/]/g, '')),
    );
    const action = fc.constantFrom('drain', 'undrain', 'stop', 'pause', 'resume');
    await fc.assert(
      fc.asyncProperty(action, idPiece, authHeader, jsonBody, async (what, id, auth, body) => {
        const base = request(server);
        const req =
          what === 'stop'
            ? base.delete(`/api/servers/${id}`)
            : what === 'pause' || what === 'resume'
              ? base.post(`/api/scaling/${what}`)
              : base.post(`/api/servers/${id}/${what}`);
        const res = await req.set('Authorization', auth).set('Content-Type', 'application/json').send(body);
        expectWellFormed(res);
        // Unpause so that later runs see the same manager.
        manager.setPaused(false);
      }),
      RUNS,
    );
  });
});
