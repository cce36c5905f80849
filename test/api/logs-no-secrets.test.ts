// Requests that carry tokens, right or wrong, leave no trace of them in the logs, even when they fail.
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { ManualClock } from '../support/manual-clock.js';
import { Manager } from '../../src/manager/manager.js';
import { createManager } from '../../src/manager/create-manager.js';
import { FakeBackend, FakeProber, makeManagerConfig } from '../support/factories.js';
import { ADMIN_TOKEN, ALLOCATE_TOKEN, FakeManager, HEARTBEAT_TOKEN, makeApp, makeSecurity } from './api-fakes.js';
import { captureLogger } from './capture-logger.js';

const WRONG = 'wrong-but-still-secret-9f8e7d6c5b4a';
const SECRETS = [ADMIN_TOKEN, ALLOCATE_TOKEN, HEARTBEAT_TOKEN, WRONG];

const managers: Manager[] = [];
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

function expectNoSecrets(text: string): void {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

describe('logs never contain secrets', () => {
  it('a real manager and the app, driven with right and wrong tokens', async () => {
    const { logger, lines, text } = captureLogger({ level: 'debug', base: { service: 'arbiter' } });
    const clock = new ManualClock();
    const backend = new FakeBackend({ clock });
    backend.add({ status: 'running' });
    const manager = createManager({
      config: makeManagerConfig({ scaling: { capacity: 1, maxServers: 1, upscaleMargin: 0, downscaleMargin: 100 } }),
      backend,
      prober: new FakeProber({ capacity: 1 }),
      clock,
      logger,
    });
    managers.push(manager);
    await manager.runTick();
    await manager.runPolls();
    const app = createApp({
      manager,
      logger,
      security: makeSecurity({ adminToken: ADMIN_TOKEN, allocateToken: ALLOCATE_TOKEN, heartbeatToken: HEARTBEAT_TOKEN }),
      registry: manager.metrics.registry,
    });
    const id = manager.servers()[0]?.id as string;

    for (const token of [ALLOCATE_TOKEN, WRONG]) {
      await request(app).get('/available-server/?session=s1').set('Authorization', `Bearer ${token}`);
      await request(app).get('/available-server/?session=s2').set('Authorization', `Bearer ${token}`);
      await request(app).get(`/available-server/?token=${token}`).set('Authorization', `Bearer ${token}`);
    }
    for (const token of [ADMIN_TOKEN, WRONG]) {
      await request(app).post(`/api/servers/${id}/drain`).set('Authorization', `Bearer ${token}`);
      await request(app).post('/api/scaling/pause').set('Authorization', `Bearer ${token}`);
      await request(app).post('/api/scaling/resume').set('Authorization', `Bearer ${token}`);
    }
    for (const token of [HEARTBEAT_TOKEN, WRONG]) {
      await request(app)
        .post('/api/heartbeat')
        .set('Authorization', `Bearer ${token}`)
        .send({ server_id: id, available_capacity: 0, ready_to_close: true, password: token });
    }
    await manager.settle();
    await manager.runTick();

    // The run did log (scaling paused, no room, standby...), so the check below is not vacuous.
    expect(lines().length).toBeGreaterThan(3);
    expect(text()).toContain('no server with room');
    expectNoSecrets(text());
  });

  it('an unexpected error is logged with its request id and without the credentials in its message', async () => {
    const { logger, lines, text } = captureLogger();
    const manager = new FakeManager();
    manager.allocate = () => {
      throw new Error(`upstream refused Authorization: Bearer ${ALLOCATE_TOKEN}`);
    };
    const { app } = makeApp({ manager, deps: { logger }, security: { allocateToken: ALLOCATE_TOKEN } });
    const res = await request(app).get(`/available-server/?session=abc`).set('Authorization', `Bearer ${ALLOCATE_TOKEN}`).expect(500);
    expect(res.body).toMatchObject({ error: 'internal error', code: 'internal' });
    expect(res.text).not.toContain(ALLOCATE_TOKEN);
    const line = lines().map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.message === 'request failed');
    expect(line).toMatchObject({ level: 'error', method: 'GET', path: '/available-server/', requestId: res.body.requestId });
    expectNoSecrets(text());
  });

  it('a failed request with a token in its query string does not log the query', async () => {
    const { logger, text } = captureLogger();
    const manager = new FakeManager();
    manager.servers = () => {
      throw new Error('fleet view failed');
    };
    const { app } = makeApp({ manager, deps: { logger } });
    await request(app).get(`/api/servers?token=${ADMIN_TOKEN}`).expect(500);
    expect(text()).toContain('fleet view failed');
    expectNoSecrets(text());
  });
});
