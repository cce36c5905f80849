// Allocation and heartbeat tokens, the allocation rate limit, CORS and helmet's headers.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { ALLOCATE_TOKEN, HEARTBEAT_TOKEN, errorCode, makeApp } from './api-fakes.js';

describe('allocation token (ARBITER_ALLOCATE_TOKEN)', () => {
  it.each(['/available-server/', '/available-gameserver-list/'])('is off by default: %s needs no header', async (path) => {
    const { app } = makeApp();
    await request(app).get(path).expect(200);
  });

  it.each([
    { name: 'no header', header: undefined, status: 401, code: 'unauthorized' },
    { name: 'wrong token', header: 'Bearer some-other-token-0000000', status: 403, code: 'forbidden' },
  ])('when set, $name → $status $code without allocating', async ({ header, status, code }) => {
    const { app, manager } = makeApp({ security: { allocateToken: ALLOCATE_TOKEN } });
    const req = request(app).get('/available-server/');
    if (header) req.set('Authorization', header);
    const res = await req.expect(status);
    expect(errorCode(res.body)).toBe(code);
    expect(manager.callsOf('allocate')).toEqual([]);
  });

  it.each(['/available-server/', '/available-gameserver', '/available-server-list/'])('when set, %s accepts the right token', async (path) => {
    const { app } = makeApp({ security: { allocateToken: ALLOCATE_TOKEN } });
    await request(app).get(path).set('Authorization', `Bearer ${ALLOCATE_TOKEN}`).expect(200);
  });

  it('when set, protects the server list too', async () => {
    const { app, manager } = makeApp({ security: { allocateToken: ALLOCATE_TOKEN } });
    await request(app).get('/available-gameserver-list/').expect(401);
    expect(manager.callsOf('rotation')).toEqual([]);
  });
});

const heartbeat = { server_id: 'srv-1', available_capacity: 4, ready_to_close: false, max_capacity: 10, active_sessions: 6 };

describe('POST /api/heartbeat', () => {
  it('is disabled (403) when ARBITER_HEARTBEAT_TOKEN is unset', async () => {
    const { app, manager } = makeApp();
    const res = await request(app).post('/api/heartbeat').send(heartbeat).expect(403);
    expect(errorCode(res.body)).toBe('disabled');
    expect(manager.callsOf('heartbeat')).toEqual([]);
  });

  it.each([
    { name: 'no header', header: undefined, status: 401 },
    { name: 'wrong token', header: 'Bearer wrong-heartbeat-token-000', status: 403 },
  ])('$name → $status', async ({ header, status }) => {
    const { app, manager } = makeApp({ security: { heartbeatToken: HEARTBEAT_TOKEN } });
    const req = request(app).post('/api/heartbeat');
    if (header) req.set('Authorization', header);
    await req.send(heartbeat).expect(status);
    expect(manager.callsOf('heartbeat')).toEqual([]);
  });

  it.each(['/api/heartbeat', '/api/heartbeat/'])('%s with the right token reports to the manager', async (path) => {
    const { app, manager } = makeApp({ security: { heartbeatToken: HEARTBEAT_TOKEN } });
    const res = await request(app).post(path).set('Authorization', `Bearer ${HEARTBEAT_TOKEN}`).send(heartbeat).expect(200);
    expect(res.body).toEqual({ ok: true });
    expect(manager.callsOf('heartbeat')).toEqual([
      ['srv-1', { availableCapacity: 4, readyToClose: false, maxCapacity: 10, activeSessions: 6 }],
    ]);
  });

  it('an unknown server → 404 not_found', async () => {
    const { app } = makeApp({ security: { heartbeatToken: HEARTBEAT_TOKEN } });
    const res = await request(app)
      .post('/api/heartbeat')
      .set('Authorization', `Bearer ${HEARTBEAT_TOKEN}`)
      .send({ ...heartbeat, server_id: 'ghost' })
      .expect(404);
    expect(errorCode(res.body)).toBe('not_found');
  });

  it.each([
    { name: 'no server_id', body: { available_capacity: 1, ready_to_close: false } },
    { name: 'negative capacity', body: { ...heartbeat, available_capacity: -1 } },
    { name: 'fractional capacity', body: { ...heartbeat, available_capacity: 1.5 } },
    { name: 'capacity as a string', body: { ...heartbeat, available_capacity: '4' } },
    { name: 'ready_to_close missing', body: { server_id: 'srv-1', available_capacity: 1 } },
    { name: 'an array', body: [heartbeat] },
  ])('$name → 400 invalid_body', async ({ body }) => {
    const { app, manager } = makeApp({ security: { heartbeatToken: HEARTBEAT_TOKEN } });
    const res = await request(app).post('/api/heartbeat').set('Authorization', `Bearer ${HEARTBEAT_TOKEN}`).send(body).expect(400);
    expect(errorCode(res.body)).toBe('invalid_body');
    expect(manager.callsOf('heartbeat')).toEqual([]);
  });
});

describe('allocation rate limit', () => {
  it('answers 429 JSON after the limit, per client', async () => {
    const { app, manager } = makeApp({ security: { allocateRateLimitPerMinute: 3 } });
    for (let i = 0; i < 3; i++) await request(app).get('/available-server/').expect(200);
    const res = await request(app).get('/available-gameserver').expect(429);
    expect(errorCode(res.body)).toBe('rate_limited');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(manager.callsOf('allocate')).toHaveLength(3);
  });

  it('is off when the limit is 0', async () => {
    const { app } = makeApp({ security: { allocateRateLimitPerMinute: 0 } });
    for (let i = 0; i < 20; i++) await request(app).get('/available-server/').expect(200);
  });

  it('does not count other routes', async () => {
    const { app } = makeApp({ security: { allocateRateLimitPerMinute: 1 } });
    for (let i = 0; i < 5; i++) await request(app).get('/api/servers').expect(200);
    await request(app).get('/available-server/').expect(200);
  });
});

describe('CORS', () => {
  const origins = ['https://arena.example.org', 'http://localhost:5173'];

  it.each(origins)('allows the configured origin %s', async (origin) => {
    const { app } = makeApp({ security: { corsOrigins: origins } });
    const res = await request(app).get('/available-server/').set('Origin', origin).expect(200);
    expect(res.headers['access-control-allow-origin']).toBe(origin);
  });

  it('sends no allow-origin header to another origin', async () => {
    const { app } = makeApp({ security: { corsOrigins: origins } });
    const res = await request(app).get('/available-server/').set('Origin', 'https://evil.example.com').expect(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers a preflight for a configured origin', async () => {
    const { app } = makeApp({ security: { corsOrigins: origins } });
    const res = await request(app)
      .options('/api/servers/srv-1')
      .set('Origin', origins[0] as string)
      .set('Access-Control-Request-Method', 'DELETE')
      .set('Access-Control-Request-Headers', 'authorization');
    expect(res.status).toBeLessThan(300);
    expect(res.headers['access-control-allow-origin']).toBe(origins[0]);
    expect(res.headers['access-control-allow-methods']).toContain('DELETE');
  });

  it('allows every origin with *, the default', async () => {
    const { app } = makeApp();
    const res = await request(app).get('/available-server/').set('Origin', 'https://anywhere.example').expect(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });
});

describe('security headers', () => {
  it.each(['/available-server/', '/api/servers', '/', '/no-such-route'])('%s carries helmet headers and no x-powered-by', async (path) => {
    const { app } = makeApp();
    const res = await request(app).get(path);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-frame-options']).toBeDefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});

describe('dashboard over plain HTTP', () => {
  it('the CSP does not upgrade the dashboard’s own requests to https', async () => {
    const { app } = makeApp();
    const res = await request(app).get('/').expect(200);
    const csp = res.headers['content-security-policy'] as string;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('upgrade-insecure-requests');
  });
});

describe('rate limit behind a proxy', () => {
  it('with TRUST_PROXY, each forwarded client has its own budget', async () => {
    const { app } = makeApp({ security: { allocateRateLimitPerMinute: 2, trustProxy: '1' } });
    for (const client of ['203.0.113.1', '203.0.113.2']) {
      await request(app).get('/available-server/').set('X-Forwarded-For', client).expect(200);
      await request(app).get('/available-server/').set('X-Forwarded-For', client).expect(200);
      await request(app).get('/available-server/').set('X-Forwarded-For', client).expect(429);
    }
  });
});
