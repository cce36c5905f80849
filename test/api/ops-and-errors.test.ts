// Probes, metrics, OpenAPI, the dashboard, and the JSON error shape for unknown routes and bad bodies.
import { Counter, Registry } from 'prom-client';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createManagerMetrics } from '../../src/manager/metrics.js';
import { ADMIN_TOKEN, FakeManager, HEARTBEAT_TOKEN, errorCode, makeApp } from './api-fakes.js';

describe('probes', () => {
  it.each([
    { live: true, status: 200, body: 'ok' },
    { live: false, status: 503, body: 'stale' },
  ])('/healthz is $status when live=$live', async ({ live, status, body }) => {
    const manager = new FakeManager();
    manager.statusValue = { ...manager.statusValue, live };
    const { app } = makeApp({ manager });
    const res = await request(app).get('/healthz').expect(status);
    expect(res.body.status).toBe(body);
  });

  it.each([
    { ready: true, status: 200 },
    { ready: false, status: 503 },
  ])('/readyz is $status when ready=$ready', async ({ ready, status }) => {
    const manager = new FakeManager();
    manager.statusValue = { ...manager.statusValue, ready };
    const { app } = makeApp({ manager });
    const res = await request(app).get('/readyz').expect(status);
    expect(res.body).toMatchObject({ ready, servers: 1, free: 7 });
  });
});

describe('GET /metrics', () => {
  it('serves Prometheus text with the manager metrics', async () => {
    const metrics = createManagerMetrics();
    metrics.allocations.inc({ result: 'server' });
    const { app } = makeApp({ deps: { registry: metrics.registry } });
    const res = await request(app).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toContain('# TYPE arbiter_allocations_total counter');
    expect(res.text).toMatch(/arbiter_allocations_total\{result="server"\} 1/);
  });

  it('serves whatever registry it was given', async () => {
    const registry = new Registry();
    new Counter({ name: 'only_this_total', help: 'x', registers: [registry] }).inc(3);
    const { app } = makeApp({ deps: { registry } });
    const res = await request(app).get('/metrics').expect(200);
    expect(res.text).toContain('only_this_total 3');
    expect(res.text).not.toContain('arbiter_allocations_total');
  });
});

describe('GET /openapi.json', () => {
  it('is an OpenAPI document naming every route', async () => {
    const { app } = makeApp();
    const res = await request(app).get('/openapi.json').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const doc = JSON.parse(res.text) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toMatch(/^3\./);
    const want: Array<[string, string]> = [
      ['/available-server', 'get'],
      ['/available-gameserver', 'get'],
      ['/available-server-list', 'get'],
      ['/api/servers', 'get'],
      ['/api/servers/{id}/drain', 'post'],
      ['/api/servers/{id}/undrain', 'post'],
      ['/api/servers/{id}', 'delete'],
      ['/api/scaling/pause', 'post'],
      ['/api/scaling/resume', 'post'],
      ['/api/heartbeat', 'post'],
    ];
    for (const [path, method] of want) expect(doc.paths[path], `${method} ${path}`).toHaveProperty(method);
  });
});

describe('dashboard', () => {
  it('/ serves HTML that loads /dashboard.js', async () => {
    const { app } = makeApp();
    const res = await request(app).get('/').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('<script src="/dashboard.js"></script>');
  });

  it.each([
    { path: '/dashboard.js', type: /javascript/, text: '/api/servers' },
    { path: '/dashboard.css', type: /^text\/css/, text: 'table' },
  ])('$path is served', async ({ path, type, text }) => {
    const { app } = makeApp();
    const res = await request(app).get(path).expect(200);
    expect(res.headers['content-type']).toMatch(type);
    expect(res.text).toContain(text);
  });
});

describe('unknown routes', () => {
  it.each([
    ['get', '/nope'],
    ['get', '/available-servers/'],
    ['post', '/available-server/'],
    ['put', '/api/servers/srv-1'],
    ['get', '/api/servers/srv-1/drain'],
    ['delete', '/api/scaling/pause'],
    ['get', '/api/heartbeat'],
  ] as const)('%s %s → 404 JSON not_found', async (method, path) => {
    const { app } = makeApp({ security: { adminToken: ADMIN_TOKEN } });
    const res = await request(app)[method](path).expect(404);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(errorCode(res.body)).toBe('not_found');
  });

  it('a malformed percent-encoding in a path is a 4xx JSON, not a 500', async () => {
    const { app } = makeApp();
    const res = await request(app).get('/api/servers/%E0%A4%A');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    errorCode(res.body);
  });
});

describe('bad request bodies', () => {
  const post = (app: Parameters<typeof request>[0]) =>
    request(app).post('/api/heartbeat').set('Authorization', `Bearer ${HEARTBEAT_TOKEN}`).set('Content-Type', 'application/json');

  it.each(['{', '{"server_id": }', 'not json', '"a string"', 'null', '{"a":1}}'])('malformed JSON %j → 400 JSON', async (text) => {
    const { app } = makeApp({ security: { heartbeatToken: HEARTBEAT_TOKEN } });
    const res = await post(app).send(text);
    expect(res.status).toBe(400);
    expect(['invalid_json', 'invalid_body']).toContain(errorCode(res.body));
  });

  it('a body over 16 kB → 413 payload_too_large', async () => {
    const { app, manager } = makeApp({ security: { heartbeatToken: HEARTBEAT_TOKEN } });
    const big = JSON.stringify({ server_id: 'srv-1', available_capacity: 1, ready_to_close: false, pad: 'x'.repeat(17 * 1024) });
    const res = await post(app).send(big).expect(413);
    expect(errorCode(res.body)).toBe('payload_too_large');
    expect(manager.callsOf('heartbeat')).toEqual([]);
  });

  it('a body over 16 kB to an admin route is refused the same way', async () => {
    const { app, manager } = makeApp({ security: { adminToken: ADMIN_TOKEN } });
    const res = await request(app)
      .post('/api/servers/srv-1/drain')
      .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ pad: 'x'.repeat(20_000) }));
    expect(res.status).toBe(413);
    expect(errorCode(res.body)).toBe('payload_too_large');
    expect(manager.callsOf('drain')).toEqual([]);
  });

  it('a form-encoded heartbeat is a 400, not a crash', async () => {
    const { app } = makeApp({ security: { heartbeatToken: HEARTBEAT_TOKEN } });
    const res = await request(app)
      .post('/api/heartbeat')
      .set('Authorization', `Bearer ${HEARTBEAT_TOKEN}`)
      .type('form')
      .send('server_id=srv-1&available_capacity=1')
      .expect(400);
    expect(errorCode(res.body)).toBe('invalid_body');
  });

  it('an unsupported content encoding is a 4xx JSON', async () => {
    const { app } = makeApp({ security: { heartbeatToken: HEARTBEAT_TOKEN } });
    const res = await post(app).set('Content-Encoding', 'bogus').send('{}');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    errorCode(res.body);
  });
});
