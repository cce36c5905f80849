import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createDemoGameserver, type DemoGameserver, type DemoGameserverOptions } from '../../src/gameserver/demo-gameserver.js';
import { MemoryGamelogStore } from '../../src/gameserver/gamelog-store.js';
import { SessionTable } from '../../src/gameserver/session-table.js';
import { createSilentLogger } from '../../src/shared/log.js';
import { waitFor } from '../support/wait.js';

const servers: DemoGameserver[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(overrides: Partial<DemoGameserverOptions> = {}): Promise<{ server: DemoGameserver; base: string; healthBase: string }> {
  const server = await createDemoGameserver({ gamePort: 0, webPort: 0, capacity: 2, sessionMs: 60_000, name: 'test', ...overrides });
  servers.push(server);
  return { server, base: `http://127.0.0.1:${server.ports.web}`, healthBase: `http://127.0.0.1:${server.ports.health}` };
}

async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const setup = (base: string, body: unknown) =>
  getJson(`${base}/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('demo gameserver health', () => {
  it('reports full capacity when idle', async () => {
    const { base } = await start({ capacity: 3 });
    const { status, body } = await getJson(`${base}/health/`);
    expect(status).toBe(200);
    expect(body).toEqual({ available_capacity: 3, ready_to_close: false, max_capacity: 3, active_sessions: 0, draining: false });
  });

  it('counts sessions made by /setup and refuses past capacity with 503', async () => {
    const { base } = await start({ capacity: 2 });
    expect((await setup(base, { gameName: 'Chess', session: 'a' })).status).toBe(200);
    expect((await getJson(`${base}/health/`)).body.available_capacity).toBe(1);
    expect((await setup(base, { gameName: 'Chess', session: 'b' })).status).toBe(200);
    expect((await getJson(`${base}/health/`)).body).toMatchObject({ available_capacity: 0, active_sessions: 2 });
    const refused = await setup(base, { gameName: 'Chess', session: 'c' });
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatch(/full/);
  });

  it('drains: capacity 0, refuses setup, ready_to_close once empty; undrain restores', async () => {
    const { base } = await start({ capacity: 2 });
    const drained = await getJson(`${base}/drain/`, { method: 'POST' });
    expect(drained.body).toMatchObject({ available_capacity: 0, ready_to_close: true, draining: true });
    expect((await setup(base, { gameName: 'Chess', session: 'x' })).status).toBe(503);
    const undrained = await getJson(`${base}/undrain/`, { method: 'POST' });
    expect(undrained.body).toMatchObject({ available_capacity: 2, ready_to_close: false, draining: false });
    expect((await setup(base, { gameName: 'Chess', session: 'x' })).status).toBe(200);
    const busy = await getJson(`${base}/drain/`, { method: 'POST' });
    expect(busy.body).toMatchObject({ available_capacity: 0, ready_to_close: false, active_sessions: 1 });
  });

  it('serves health, drain and undrain on a distinct health port, and nothing else there', async () => {
    const { server, healthBase } = await start({ healthPort: 0 });
    expect(server.ports.health).not.toBe(server.ports.web);
    expect((await getJson(`${healthBase}/health/`)).status).toBe(200);
    expect((await getJson(`${healthBase}/drain`, { method: 'POST' })).body.draining).toBe(true);
    expect((await setup(healthBase, { gameName: 'Chess', session: 'a' })).status).toBe(404);
  });

  it('keeps the health arithmetic for any sequence of setups and drains', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(fc.oneof(fc.constant('setup'), fc.constant('drain'), fc.constant('undrain')), { maxLength: 20 }), (capacity, ops) => {
        const table = new SessionTable({
          capacity, sessionMs: 60_000, joinTimeoutMs: 60_000, overRetentionMs: 60_000, games: null,
          gamelogs: new MemoryGamelogStore(), logger: createSilentLogger(),
        });
        try {
          let live = 0;
          let draining = false;
          ops.forEach((op, i) => {
            if (op === 'setup') {
              const result = table.setup('Chess', `s${i}`, undefined, {});
              expect(result.ok).toBe(!draining && live < capacity);
              if (result.ok) live += 1;
            } else {
              draining = op === 'drain';
              table.setDraining(draining);
            }
            expect(table.health()).toEqual({
              available_capacity: draining ? 0 : Math.max(0, capacity - live),
              ready_to_close: draining && live === 0,
              max_capacity: capacity,
              active_sessions: live,
              draining,
            });
          });
        } finally {
          table.close();
        }
      }),
    );
  });
});

describe('demo gameserver arena API', () => {
  it('reports an empty status for an unknown session and 400 for an unknown game', async () => {
    const { base } = await start({ games: ['Checkers'] });
    const empty = await getJson(`${base}/status/Checkers/nobody`);
    expect(empty.body).toEqual({
      status: 'empty', gameName: 'Checkers', gameSession: 'nobody', requiredNumberOfPlayers: 2, clients: [], gamelogFilename: null,
    });
    const unknown = await getJson(`${base}/status/Go/x`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toEqual(expect.any(String));
    expect((await setup(base, { gameName: 'Go', session: 'x' })).status).toBe(400);
  });

  it('refuses a taken session with Cerveau\'s message', async () => {
    const { base } = await start();
    await setup(base, { gameName: 'Chess', session: 'dup' });
    const again = await setup(base, { gameName: 'Chess', session: 'dup' });
    expect(again).toEqual({ status: 400, body: { error: 'session dup is already taken.' } });
  });

  it('ends a session nobody joins, writes its gamelog and frees its capacity', async () => {
    const { base } = await start({ capacity: 1, joinTimeoutMs: 100 });
    await setup(base, { gameName: 'Chess', session: 'lonely' });
    expect((await getJson(`${base}/status/Chess/lonely`)).body.status).toBe('open');
    const over = await waitFor(async () => {
      const { body } = await getJson(`${base}/status/Chess/lonely`);
      return body.status === 'over' && body.gamelogFilename ? body : null;
    }, { what: 'session over with a gamelog' });
    expect((await getJson(`${base}/health/`)).body.available_capacity).toBe(1);

    const res = await fetch(`${base}/gamelog/${String(over.gamelogFilename)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(await res.json()).toMatchObject({ gameName: 'Chess', gameSession: 'lonely', winners: [] });
  });

  it.each([
    ['a missing gamelog', '/gamelog/nope', 404, 'Gamelog not found.'],
    ['a traversal attempt', '/gamelog/..%2F..%2Fetc%2Fpasswd', 404, 'Gamelog not found.'],
    ['an unknown route', '/nothing', 404, 'Not found.'],
    ['a bad escape', '/status/%E0%A4%A/x', 400, 'The path is not valid.'],
  ])('answers %s with a JSON error', async (_name, path, status, error) => {
    const { base } = await start();
    expect(await getJson(`${base}${path}`)).toEqual({ status, body: { error } });
  });

  it.each([
    ['not JSON', '{"gameName":', 400],
    ['a JSON array', '[1,2]', 400],
    ['no session', '{"gameName":"Chess"}', 400],
    ['a bad winnerIndex', '{"gameName":"Chess","session":"w","gameSettings":{"winnerIndex":7}}', 400],
    ['a huge body', JSON.stringify({ gameName: 'Chess', session: 'big', pad: 'x'.repeat(200_000) }), 413],
  ])('rejects a setup body that is %s', async (_name, body, status) => {
    const { base } = await start();
    const res = await fetch(`${base}/setup`, { method: 'POST', body });
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual({ error: expect.any(String) });
    expect((await getJson(`${base}/health/`)).status).toBe(200);
  });

  it('survives raw garbage on the web port', async () => {
    const { base, server } = await start();
    const socket = connect({ host: '127.0.0.1', port: server.ports.web });
    const reply = await new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', () => resolve(text));
      socket.write('\x00\x01GARBAGE / HTTP/9\r\n\r\n');
    });
    expect(reply).toMatch(/^HTTP\/1.1 400/);
    expect((await getJson(`${base}/health/`)).status).toBe(200);
  });
});
