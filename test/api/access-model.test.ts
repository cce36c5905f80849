// One access model: no route reveals a gameserver address to a caller the allocation token would refuse.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { ALLOCATE_TOKEN, errorCode, makeApp } from './api-fakes.js';

const READ_TOKEN = 'read-token-0123456789abcdef';
const ADMIN = 'admin-token-0123456789abcdef';
const READ_ROUTES = ['/api/servers', '/api/servers/srv-1', '/api/history', '/metrics'];

describe('read-only ops routes', () => {
  it.each(READ_ROUTES)('%s is open while neither the allocation nor the read token is set', async (path) => {
    const { app } = makeApp();
    const res = await request(app).get(path);
    expect([200, 404]).toContain(res.status);
  });

  it.each(READ_ROUTES)('%s refuses an anonymous caller once allocation needs a token', async (path) => {
    const { app } = makeApp({ security: { allocateToken: ALLOCATE_TOKEN, adminToken: ADMIN } });
    const res = await request(app).get(path).expect(401);
    expect(errorCode(res.body)).toBe('unauthorized');
    expect(JSON.stringify(res.body)).not.toMatch(/\d+\.\d+\.\d+\.\d+/);
  });

  it.each(READ_ROUTES)('%s takes the read token or the admin token, not a wrong one', async (path) => {
    const { app } = makeApp({ security: { allocateToken: ALLOCATE_TOKEN, readToken: READ_TOKEN, adminToken: ADMIN } });
    for (const token of [READ_TOKEN, ADMIN]) {
      const res = await request(app).get(path).set('Authorization', `Bearer ${token}`);
      expect([200, 404]).toContain(res.status);
    }
    await request(app).get(path).set('Authorization', 'Bearer not-the-right-token-0000').expect(403);
  });

  it('with only ARBITER_READ_TOKEN set, the server list needs it', async () => {
    const { app } = makeApp({ security: { readToken: READ_TOKEN } });
    await request(app).get('/api/servers').expect(401);
    await request(app).get('/api/servers').set('Authorization', `Bearer ${READ_TOKEN}`).expect(200);
  });

  it('with the allocation token set and no read or admin token, the read routes are closed and say how to open them', async () => {
    const { app } = makeApp({ security: { allocateToken: ALLOCATE_TOKEN } });
    const res = await request(app).get('/api/servers').set('Authorization', `Bearer ${ALLOCATE_TOKEN}`).expect(403);
    expect(res.body.error).toMatch(/ARBITER_READ_TOKEN/);
  });
});

describe('tokens at startup', () => {
  it.each(['ARBITER_ADMIN_TOKEN', 'ARBITER_ALLOCATE_TOKEN', 'ARBITER_READ_TOKEN', 'ARBITER_HEARTBEAT_TOKEN'])(
    '%s with surrounding whitespace is refused, naming the variable',
    (name) => {
      expect(() => parseConfig({ [name]: ' token-with-a-space-0123 ' })).toThrow(new RegExp(`${name}: must not start or end with whitespace`));
      expect(() => parseConfig({ [name]: 'token-with-a-tab-0123\t' })).toThrow(new RegExp(name));
    },
  );
});
