// The API over a real Manager (fake backend, fake prober, manual clock): session idempotency,
// backup once capacity is gone, admin calls and heartbeats changing what allocation hands out.
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { createSilentLogger } from '../../src/shared/log.js';
import { ManualClock } from '../support/manual-clock.js';
import { Manager, type ManagerConfig } from '../../src/manager/manager.js';
import { createManager } from '../../src/manager/create-manager.js';
import { FakeBackend, FakeProber, makeManagerConfig } from '../support/factories.js';
import { ADMIN_TOKEN, HEARTBEAT_TOKEN, makeSecurity } from './api-fakes.js';

const managers: Manager[] = [];

afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

/** Two running gameservers of capacity 2 each, polled once; scaling can launch nothing more. */
async function setup(backup: ManagerConfig['backup'] = { host: '127.0.0.1', port: 8888 }) {
  const clock = new ManualClock();
  const backend = new FakeBackend({ clock });
  const prober = new FakeProber({ capacity: 2 });
  backend.add({ status: 'running' });
  backend.add({ status: 'running' });
  const config = makeManagerConfig({
    scaling: { capacity: 2, maxServers: 2, upscaleMargin: 0, downscaleMargin: 100 },
    backup,
  });
  const manager = createManager({ config, backend, prober, clock, logger: createSilentLogger() });
  managers.push(manager);
  await manager.runTick();
  await manager.runPolls();
  const app = createApp({
    manager,
    logger: createSilentLogger(),
    security: makeSecurity({ adminToken: ADMIN_TOKEN, heartbeatToken: HEARTBEAT_TOKEN }),
    registry: manager.metrics.registry,
  });
  return { app, manager, backend, prober, clock };
}

function allocate(app: Parameters<typeof request>[0], session?: string) {
  const path = session === undefined ? '/available-server/' : `/available-server/?session=${encodeURIComponent(session)}`;
  return request(app).get(path);
}

describe('allocation through HTTP with a real manager', () => {
  it('hands out both servers in the list, then the backup', async () => {
    const { app } = await setup();
    const list = await request(app).get('/available-gameserver-list/').expect(200);
    expect(list.body.server_list).toHaveLength(2);

    const given: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await allocate(app).expect(200);
      expect(res.body.backup).toBe(false);
      expect(list.body.server_list).toContain(res.body.available);
      given.push(res.body.server_id);
    }
    // packed: fill one server before the other
    expect(given[0]).toBe(given[1]);
    expect(given[2]).toBe(given[3]);
    expect(given[0]).not.toBe(given[2]);

    const fifth = await allocate(app).expect(200);
    expect(fifth.body).toStrictEqual({
      available: '127.0.0.1:8888',
      server_id: null,
      name: 'backup',
      host: '127.0.0.1',
      ports: { game: 8888, web: 8968 },
      backup: true,
    });
  });

  it('answers 503 no_capacity once capacity is gone and no backup is configured', async () => {
    const { app } = await setup(null);
    for (let i = 0; i < 4; i++) await allocate(app).expect(200);
    const res = await allocate(app).expect(503);
    expect(res.body.code).toBe('no_capacity');
    expect(res.headers['retry-after']).toBeDefined();
  });

  it('gives the same session the same server without using more room', async () => {
    const { app } = await setup(null);
    const first = await allocate(app, 'arena_1_aVb').expect(200);
    for (let i = 0; i < 5; i++) {
      const again = await allocate(app, 'arena_1_aVb').expect(200);
      expect(again.body.server_id).toBe(first.body.server_id);
      expect(again.body.available).toBe(first.body.available);
    }
    // Three other sessions still fit: the five repeats reserved nothing.
    for (const session of ['b', 'c', 'd']) await allocate(app, session).expect(200);
    await allocate(app, 'e').expect(503);
    // and the first session is still placed where it was
    const last = await allocate(app, 'arena_1_aVb').expect(200);
    expect(last.body.server_id).toBe(first.body.server_id);
  });

  it('shows reservations in /api/servers and counts allocations in /metrics', async () => {
    const { app } = await setup();
    const first = await allocate(app, 's1').expect(200);
    const view = await request(app).get('/api/servers').expect(200);
    expect(view.body.summary).toMatchObject({ servers: 2, free: 3, paused: false });
    const server = (view.body.servers as Array<{ id: string; reservations: number; state: string }>).find((s) => s.id === first.body.server_id);
    expect(server).toMatchObject({ state: 'active', reservations: 1 });
    const metrics = await request(app).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/arbiter_allocations_total\{result="server"\} 1/);
  });

  it('a drained server leaves rotation; undrain brings it back', async () => {
    const { app, manager } = await setup(null);
    const first = await allocate(app).expect(200);
    const id = first.body.server_id as string;
    const auth = `Bearer ${ADMIN_TOKEN}`;
    const drained = await request(app).post(`/api/servers/${encodeURIComponent(id)}/drain`).set('Authorization', auth).expect(200);
    expect(drained.body).toMatchObject({ id, state: 'standby' });
    await manager.settle();
    const list = await request(app).get('/available-server-list/').expect(200);
    expect(list.body.server_list).not.toContain(first.body.available);
    const next = await allocate(app).expect(200);
    expect(next.body.server_id).not.toBe(id);

    await request(app).post(`/api/servers/${encodeURIComponent(id)}/undrain`).set('Authorization', auth).expect(200);
    await manager.settle();
    await manager.runPolls();
    const back = await request(app).get('/available-server-list/').expect(200);
    expect(back.body.server_list).toContain(first.body.available);
  });

  it('admin calls on an unknown server answer 404, and stopping twice answers 409', async () => {
    const { app, manager } = await setup();
    const auth = `Bearer ${ADMIN_TOKEN}`;
    await request(app).post('/api/servers/ghost/drain').set('Authorization', auth).expect(404);
    await request(app).delete('/api/servers/ghost').set('Authorization', auth).expect(404);
    const { body } = await request(app).get('/api/servers').expect(200);
    const id = (body.servers as Array<{ id: string }>)[0]?.id as string;
    await request(app).delete(`/api/servers/${id}`).set('Authorization', auth).expect(200);
    await manager.settle();
    const again = await request(app).delete(`/api/servers/${id}`).set('Authorization', auth);
    expect([404, 409]).toContain(again.status);
  });

  it('pause and resume reach the manager', async () => {
    const { app } = await setup();
    const auth = `Bearer ${ADMIN_TOKEN}`;
    await request(app).post('/api/scaling/pause').set('Authorization', auth).expect(200);
    expect((await request(app).get('/api/servers')).body.summary.paused).toBe(true);
    await request(app).post('/api/scaling/resume').set('Authorization', auth).expect(200);
    expect((await request(app).get('/api/servers')).body.summary.paused).toBe(false);
  });

  it('a heartbeat reporting no room takes that server out of allocation', async () => {
    const { app, clock } = await setup(null);
    const { body } = await request(app).get('/api/servers').expect(200);
    const [a, b] = body.servers as Array<{ id: string }>;
    clock.advance(1000);
    await request(app)
      .post('/api/heartbeat')
      .set('Authorization', `Bearer ${HEARTBEAT_TOKEN}`)
      .send({ server_id: a?.id, available_capacity: 0, ready_to_close: false })
      .expect(200);
    for (let i = 0; i < 2; i++) {
      const res = await allocate(app).expect(200);
      expect(res.body.server_id).toBe(b?.id);
    }
    await allocate(app).expect(503);
    const unknown = await request(app)
      .post('/api/heartbeat')
      .set('Authorization', `Bearer ${HEARTBEAT_TOKEN}`)
      .send({ server_id: 'ghost', available_capacity: 1, ready_to_close: false });
    expect(unknown.status).toBe(404);
  });
});
