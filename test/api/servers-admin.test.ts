// /api/servers views and the token-protected admin calls, against a fake manager.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, FakeManager, errorCode, makeApp, makeServerView } from './api-fakes.js';

const auth = `Bearer ${ADMIN_TOKEN}`;

describe('GET /api/servers', () => {
  it.each(['/api/servers', '/api/servers/'])('%s lists every server with a summary', async (path) => {
    const manager = new FakeManager();
    manager.views = [makeServerView(), makeServerView({ id: 'srv-2', name: 'gs-2', state: 'standby', inRotation: false })];
    const { app } = makeApp({ manager });
    const res = await request(app).get(path).expect(200);
    expect(res.body.summary).toEqual({ servers: 2, free: 7, paused: false });
    expect(res.body.servers).toHaveLength(2);
    const first = res.body.servers[0];
    for (const field of ['id', 'name', 'state', 'capacity', 'activeSessions', 'ageSeconds', 'lastPollAt', 'failures']) {
      expect(first).toHaveProperty(field);
    }
    expect(res.body.servers[1]).toMatchObject({ id: 'srv-2', state: 'standby' });
  });

  it('GET /api/servers/:id answers one server, 404 JSON for an unknown one', async () => {
    const { app } = makeApp();
    const ok = await request(app).get('/api/servers/srv-1').expect(200);
    expect(ok.body).toMatchObject({ id: 'srv-1', name: 'gs-1' });
    const missing = await request(app).get('/api/servers/nope').expect(404);
    expect(errorCode(missing.body)).toBe('not_found');
  });

  it('needs no token to read', async () => {
    const { app } = makeApp({ security: { adminToken: ADMIN_TOKEN } });
    await request(app).get('/api/servers').expect(200);
  });
});

const ADMIN_CALLS = [
  { name: 'drain', method: 'post', path: '/api/servers/srv-1/drain', call: 'drain', args: ['srv-1'] },
  { name: 'undrain', method: 'post', path: '/api/servers/srv-1/undrain', call: 'undrain', args: ['srv-1'] },
  { name: 'stop', method: 'delete', path: '/api/servers/srv-1', call: 'stopServer', args: ['srv-1'] },
  { name: 'pause', method: 'post', path: '/api/scaling/pause', call: 'setPaused', args: [true] },
  { name: 'resume', method: 'post', path: '/api/scaling/resume', call: 'setPaused', args: [false] },
] as const;

function send(app: Parameters<typeof request>[0], method: 'post' | 'delete', path: string) {
  return method === 'post' ? request(app).post(path) : request(app).delete(path);
}

describe.each(ADMIN_CALLS)('admin $name ($method $path)', ({ method, path, call, args }) => {
  it('is disabled (403 disabled) when no admin token is configured, even with a header', async () => {
    const { app, manager } = makeApp();
    const res = await send(app, method, path).set('Authorization', auth).expect(403);
    expect(errorCode(res.body)).toBe('disabled');
    expect(res.body.error).toContain('ARBITER_ADMIN_TOKEN');
    expect(manager.callsOf(call)).toEqual([]);
  });

  it.each([
    { name: 'no header', header: undefined, status: 401, code: 'unauthorized' },
    { name: 'not a bearer header', header: `Basic ${ADMIN_TOKEN}`, status: 401, code: 'unauthorized' },
    { name: 'empty bearer', header: 'Bearer ', status: 401, code: 'unauthorized' },
    { name: 'wrong token', header: 'Bearer not-the-admin-token-at-all', status: 403, code: 'forbidden' },
    { name: 'token prefix', header: `Bearer ${ADMIN_TOKEN.slice(0, -1)}`, status: 403, code: 'forbidden' },
    { name: 'token with extra text', header: `Bearer ${ADMIN_TOKEN}x`, status: 403, code: 'forbidden' },
  ])('$name → $status $code and the manager is not called', async ({ header, status, code }) => {
    const { app, manager } = makeApp({ security: { adminToken: ADMIN_TOKEN } });
    const req = send(app, method, path);
    if (header !== undefined) req.set('Authorization', header);
    const res = await req.expect(status);
    expect(errorCode(res.body)).toBe(code);
    expect(manager.callsOf(call)).toEqual([]);
  });

  it('the right token → 200 and the manager call happened', async () => {
    const { app, manager } = makeApp({ security: { adminToken: ADMIN_TOKEN } });
    await send(app, method, path).set('Authorization', auth).expect(200);
    expect(manager.callsOf(call)).toEqual([args]);
  });

  it('accepts the scheme in any case', async () => {
    const { app, manager } = makeApp({ security: { adminToken: ADMIN_TOKEN } });
    await send(app, method, path).set('Authorization', `bearer ${ADMIN_TOKEN}`).expect(200);
    expect(manager.callsOf(call)).toHaveLength(1);
  });
});

describe('admin results map to HTTP', () => {
  const SERVER_CALLS = ADMIN_CALLS.filter((c) => c.call !== 'setPaused');

  it.each(SERVER_CALLS)('$name of an unknown server → 404 not_found', async ({ method, call }) => {
    const { app, manager } = makeApp({ security: { adminToken: ADMIN_TOKEN } });
    const path = call === 'stopServer' ? '/api/servers/ghost' : `/api/servers/ghost/${call}`;
    const res = await send(app, method, path).set('Authorization', auth).expect(404);
    expect(errorCode(res.body)).toBe('not_found');
    expect(manager.callsOf(call)).toEqual([['ghost']]);
  });

  it.each(SERVER_CALLS)('$name of a busy server → 409 conflict', async ({ method, path }) => {
    const manager = new FakeManager();
    manager.adminResult = { ok: false, code: 'conflict', message: 'server srv-1 is stopping' };
    const { app } = makeApp({ manager, security: { adminToken: ADMIN_TOKEN } });
    const res = await send(app, method, path).set('Authorization', auth).expect(409);
    expect(res.body).toEqual({ error: 'server srv-1 is stopping', code: 'conflict' });
  });

  it.each(SERVER_CALLS)('$name answers the server after the change', async ({ method, path }) => {
    const manager = new FakeManager();
    manager.adminResult = { ok: true, server: makeServerView({ state: 'standby' }) };
    const { app } = makeApp({ manager, security: { adminToken: ADMIN_TOKEN } });
    const res = await send(app, method, path).set('Authorization', auth).expect(200);
    expect(res.body).toMatchObject({ id: 'srv-1', state: 'standby' });
  });

  it.each([
    { path: '/api/scaling/pause', body: { paused: true } },
    { path: '/api/scaling/resume', body: { paused: false } },
  ])('$path answers $body', async ({ path, body }) => {
    const { app } = makeApp({ security: { adminToken: ADMIN_TOKEN } });
    const res = await request(app).post(path).set('Authorization', auth).expect(200);
    expect(res.body).toEqual(body);
  });

  it('an id with encoded characters reaches the manager decoded', async () => {
    const { app, manager } = makeApp({ security: { adminToken: ADMIN_TOKEN } });
    const arn = 'arn:aws:ecs:eu-west-1:123456789012:task/arbiter/0123abcd';
    await request(app).post(`/api/servers/${encodeURIComponent(arn)}/drain`).set('Authorization', auth).expect(404);
    expect(manager.callsOf('drain')).toEqual([[arn]]);
  });
});
