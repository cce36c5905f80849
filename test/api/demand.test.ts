// POST /api/demand and ?wait= over a real Manager (fake backend, fake prober, manual clock).
import request from 'supertest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { createSilentLogger } from '../../src/shared/log.js';
import { ManualClock } from '../support/manual-clock.js';
import { Manager } from '../../src/manager/manager.js';
import { createManager } from '../../src/manager/create-manager.js';
import { FakeBackend, FakeProber, makeManagerConfig } from '../support/factories.js';
import { waitFor } from '../support/wait.js';
import { ADMIN_TOKEN, HEARTBEAT_TOKEN, makeSecurity } from './api-fakes.js';

const managers: Manager[] = [];
const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => { s.close(() => resolve()); s.closeAllConnections(); })));
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

/** One running gameserver of capacity 2; launches come up running. */
async function setup(tokens: { adminToken?: string; heartbeatToken?: string } = { adminToken: ADMIN_TOKEN, heartbeatToken: HEARTBEAT_TOKEN }) {
  const clock = new ManualClock();
  const backend = new FakeBackend({ clock, launchStatus: 'running' });
  const prober = new FakeProber({ capacity: 2 });
  backend.add({ status: 'running' });
  const config = makeManagerConfig({
    scaling: { capacity: 2, maxServers: 10, upscaleMargin: 0, downscaleMargin: 100, minServers: 0 },
    backup: { host: '127.0.0.1', port: 8888 },
  });
  const manager = createManager({ config, backend, prober, clock, logger: createSilentLogger() });
  managers.push(manager);
  await manager.runTick();
  await manager.runPolls();
  const app = createApp({ manager, logger: createSilentLogger(), security: makeSecurity(tokens), registry: manager.metrics.registry });
  return { app, manager, backend, prober, clock };
}

const post = (app: Parameters<typeof request>[0], body: unknown, token: string | null = HEARTBEAT_TOKEN) => {
  const r = request(app).post('/api/demand');
  if (token !== null) void r.set('authorization', `Bearer ${token}`);
  return r.send(body as object);
};

describe('POST /api/demand', () => {
  it.each([
    { name: 'no token', token: null, status: 401, code: 'unauthorized' },
    { name: 'a wrong token', token: 'x'.repeat(32), status: 403, code: 'forbidden' },
  ])('refuses $name', async ({ token, status, code }) => {
    const { app } = await setup();
    const res = await post(app, { source: 'arena', seats: 4, ttl: 10 }, token).expect(status);
    expect(res.body.code).toBe(code);
  });

  it('is off when neither token is configured', async () => {
    const { app } = await setup({});
    const res = await post(app, { source: 'arena', seats: 4, ttl: 10 }, 'y'.repeat(32)).expect(403);
    expect(res.body).toMatchObject({ code: 'disabled' });
    expect(res.body.error).toMatch(/ARBITER_HEARTBEAT_TOKEN/);
  });

  it.each([
    { name: 'no source', body: { seats: 4, ttl: 10 }, want: /source/ },
    { name: 'a source with spaces', body: { source: 'my arena', seats: 4, ttl: 10 }, want: /source/ },
    { name: 'negative seats', body: { source: 'a', seats: -1, ttl: 10 }, want: /seats/ },
    { name: 'fractional seats', body: { source: 'a', seats: 1.5, ttl: 10 }, want: /seats/ },
    { name: 'too many seats', body: { source: 'a', seats: 1e9, ttl: 10 }, want: /seats/ },
    { name: 'seats as a string', body: { source: 'a', seats: '4', ttl: 10 }, want: /seats/ },
    { name: 'zero ttl', body: { source: 'a', seats: 4, ttl: 0 }, want: /ttl/ },
    { name: 'a ttl over an hour', body: { source: 'a', seats: 4, ttl: 3601 }, want: /ttl/ },
    { name: 'an unknown field', body: { source: 'a', seats: 4, ttl: 10, priority: 1 }, want: /priority/ },
    { name: 'not an object', body: [1, 2], want: /body|expected/ },
  ])('answers 400 for $name', async ({ body, want }) => {
    const { app } = await setup();
    const res = await post(app, body).expect(400);
    expect(res.body.code).toBe('invalid_body');
    expect(res.body.error).toMatch(want);
  });

  it('sources add up, the admin token works too, and a signal expires after its ttl', async () => {
    const { app, clock } = await setup();
    const a = await post(app, { source: 'arena', seats: 6, ttl: 10 }).expect(200);
    expect(a.body).toMatchObject({ source: 'arena', seats: 6, totalSeats: 6 });
    const b = await post(app, { source: 'lobby', seats: 4, ttl: 30 }, ADMIN_TOKEN).expect(200);
    expect(b.body.totalSeats).toBe(10);
    const view = await request(app).get('/api/demand').set('authorization', `Bearer ${ADMIN_TOKEN}`).expect(200);
    expect(view.body.headroom).toMatchObject({ 'signal:arena': 6, 'signal:lobby': 4, waiting: 0 });
    clock.advance(10_000);
    const later = await request(app).get('/api/demand').set('authorization', `Bearer ${ADMIN_TOKEN}`).expect(200);
    expect(later.body.signals.map((s: { source: string }) => s.source)).toEqual(['lobby']);
    // seats 0 clears a source at once
    const cleared = await post(app, { source: 'lobby', seats: 0, ttl: 1 }).expect(200);
    expect(cleared.body.totalSeats).toBe(0);
  });

  it('the policy holds the announced seats free: 6 seats with capacity 2 launch 3 servers, none after expiry', async () => {
    const { app, backend, clock, manager } = await setup();
    await post(app, { source: 'arena', seats: 6, ttl: 5 }).expect(200);
    await manager.runTick();
    // free 2 (the running server) vs 0 + 6 → ⌈4 / 2⌉ = 2 more
    expect(backend.launches).toEqual([2]);
    clock.advance(5_000);
    await manager.runTick();
    expect(backend.launches).toEqual([2]);
  });
});

describe('GET /available-server/?wait=', () => {
  it('refuses a wait over 60 s or not a number', async () => {
    const { app } = await setup();
    for (const wait of ['61', 'soon', '-1']) {
      const res = await request(app).get(`/available-server/?wait=${wait}`).expect(400);
      expect(res.body.code).toBe('invalid_query');
    }
  });

  it('a waiting request is answered with a server launched for it, not the backup', async () => {
    const { app, manager, backend } = await setup();
    await request(app).get('/available-server/').expect(200);
    await request(app).get('/available-server/').expect(200);
    const waiting = request(app).get('/available-server/?wait=10&session=w1').then((r) => r);
    await waitFor(() => manager.demandView().waiting === 1, { timeoutMs: 5_000 });
    await manager.runTick();
    expect(backend.launches).toEqual([1]);
    await manager.runTick();
    await manager.runPolls();
    const res = await waiting;
    expect(res.status).toBe(200);
    expect(res.body.backup).toBe(false);
    expect(res.body.server_id).toBe('srv-2');
  });

  it('a request past its wait gets the backup', async () => {
    const { app, manager } = await setup({ adminToken: ADMIN_TOKEN });
    await request(app).get('/available-server/').expect(200);
    await request(app).get('/available-server/').expect(200);
    const res = await request(app).get('/available-server/?wait=0.2').expect(200);
    expect(res.body.backup).toBe(true);
    expect(manager.demandView().waiting).toBe(0);
  });

  it('a caller that disconnects leaves the queue', async () => {
    const { app, manager } = await setup();
    await request(app).get('/available-server/').expect(200);
    await request(app).get('/available-server/').expect(200);
    const server = http.createServer(app);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const port = (server.address() as AddressInfo).port;
    const aborter = new AbortController();
    const gone = fetch(`http://127.0.0.1:${port}/available-server/?wait=30`, { signal: aborter.signal }).catch(() => null);
    await waitFor(() => manager.demandView().waiting === 1, { timeoutMs: 5_000 });
    aborter.abort();
    await gone;
    await waitFor(() => manager.demandView().waiting === 0, { timeoutMs: 5_000 });
  });
});
