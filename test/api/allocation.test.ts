// The legacy allocation and list routes, through HTTP, against a fake manager: exact JSON shapes.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { FakeManager, errorCode, makeApp } from './api-fakes.js';

const ALLOCATION_PATHS = ['/available-server/', '/available-server', '/available-gameserver/', '/available-gameserver'];
const LIST_PATHS = ['/available-server-list/', '/available-server-list', '/available-gameserver-list/', '/available-gameserver-list'];

describe('GET allocation (all four legacy spellings)', () => {
  it.each(ALLOCATION_PATHS)('%s answers the legacy JSON for a server with room', async (path) => {
    const { app, manager } = makeApp();
    const res = await request(app).get(path).expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toStrictEqual({
      available: '10.0.0.1:3000',
      server_id: 'srv-1',
      name: 'gs-1',
      host: '10.0.0.1',
      ports: { game: 3000, web: 3080 },
      backup: false,
    });
    expect(manager.callsOf('allocate')).toEqual([[undefined]]);
  });

  it.each(ALLOCATION_PATHS)('%s passes ?session= to the manager', async (path) => {
    const { app, manager } = makeApp();
    await request(app).get(`${path}?session=arena_42_aVb`).expect(200);
    expect(manager.callsOf('allocate')).toEqual([['arena_42_aVb']]);
  });

  it.each(ALLOCATION_PATHS)('%s falls back to the backup with backup: true', async (path) => {
    const manager = new FakeManager();
    manager.allocation = { kind: 'backup', host: '127.0.0.1', port: 8888, reason: 'every server is full' };
    const { app } = makeApp({ manager, deps: { backupWebPort: 8968 } });
    const res = await request(app).get(path).expect(200);
    expect(res.body).toStrictEqual({
      available: '127.0.0.1:8888',
      server_id: null,
      name: 'backup',
      host: '127.0.0.1',
      ports: { game: 8888, web: 8968 },
      backup: true,
    });
  });

  it('gives the backup the Cerveau web port (game + 80) when none is configured', async () => {
    const manager = new FakeManager();
    manager.allocation = { kind: 'backup', host: '10.1.2.3', port: 3000, reason: 'no server in rotation' };
    const { app } = makeApp({ manager });
    const res = await request(app).get('/available-gameserver/').expect(200);
    expect(res.body.ports).toEqual({ game: 3000, web: 3080 });
  });

  it.each(ALLOCATION_PATHS)('%s answers 503 no_capacity with Retry-After when there is no backup', async (path) => {
    const manager = new FakeManager();
    manager.allocation = { kind: 'none', reason: 'no server in rotation' };
    const { app } = makeApp({ manager });
    const res = await request(app).get(path).expect(503);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(errorCode(res.body)).toBe('no_capacity');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(Object.keys(res.body).sort()).toEqual(['code', 'error']);
  });

  it('accepts the `_` cache-buster that browser libraries add', async () => {
    const { app, manager } = makeApp();
    await request(app).get('/available-server/?_=1700000000000&session=abc').expect(200);
    expect(manager.callsOf('allocate')).toEqual([['abc']]);
  });
});

describe('GET allocation with bad query parameters', () => {
  it.each([
    { name: 'unknown key', query: '?foo=1' },
    { name: 'session with a space', query: '?session=a%20b' },
    { name: 'session with a slash', query: '?session=a/b' },
    { name: 'empty session', query: '?session=' },
    { name: 'session of 129 characters', query: `?session=${'x'.repeat(129)}` },
    { name: 'repeated session', query: '?session=a&session=b' },
    { name: 'bracketed session', query: '?session[a]=1' },
    { name: '__proto__ key', query: '?__proto__=x' },
  ])('$name → 400 invalid_query, and the manager is not asked', async ({ query }) => {
    const { app, manager } = makeApp();
    const res = await request(app).get(`/available-server/${query}`).expect(400);
    expect(errorCode(res.body)).toBe('invalid_query');
    expect(manager.callsOf('allocate')).toEqual([]);
  });

  it('accepts a session of exactly 128 allowed characters', async () => {
    const { app, manager } = makeApp();
    const session = `aZ09_.:@-${'x'.repeat(119)}`;
    await request(app).get(`/available-server/?session=${encodeURIComponent(session)}`).expect(200);
    expect(manager.callsOf('allocate')).toEqual([[session]]);
  });
});

describe('GET server list (all four legacy spellings)', () => {
  it.each(LIST_PATHS)('%s answers {"server_list": [...]}', async (path) => {
    const { app } = makeApp();
    const res = await request(app).get(path).expect(200);
    expect(res.body).toStrictEqual({ server_list: ['10.0.0.1:3000', '10.0.0.2:3000'] });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('answers an empty list when nothing is in rotation', async () => {
    const manager = new FakeManager();
    manager.rotationList = [];
    const { app } = makeApp({ manager });
    const res = await request(app).get('/available-gameserver-list/').expect(200);
    expect(res.body).toStrictEqual({ server_list: [] });
  });

  it('refuses unknown query parameters with 400 invalid_query', async () => {
    const { app } = makeApp();
    const res = await request(app).get('/available-server-list/?x=1').expect(400);
    expect(errorCode(res.body)).toBe('invalid_query');
  });
});
