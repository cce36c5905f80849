import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createDemoGameserver, type DemoGameserver, type DemoGameserverOptions } from '../../src/gameserver/demo-gameserver.js';
import { waitFor } from '../support/wait.js';

interface Message {
  event: string;
  data: Record<string, unknown>;
}

/** A test client: records every message and whether the server closed the connection. */
class TestClient {
  readonly messages: Message[] = [];
  closed = false;
  private pending = '';
  private readonly socket: Socket;

  constructor(port: number) {
    this.socket = connect({ host: '127.0.0.1', port });
    this.socket.setEncoding('utf8');
    this.socket.on('data', (chunk: string) => {
      this.pending += chunk;
      let end = this.pending.indexOf('\x04');
      while (end >= 0) {
        this.messages.push(JSON.parse(this.pending.slice(0, end)) as Message);
        this.pending = this.pending.slice(end + 1);
        end = this.pending.indexOf('\x04');
      }
    });
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => (this.closed = true));
  }

  play(data: Record<string, unknown>): void {
    this.raw(`${JSON.stringify({ event: 'play', data: { gameName: 'Chess', ...data } })}\x04`);
  }

  raw(text: string): void {
    this.socket.write(text);
  }

  next(event: string): Promise<Message> {
    return waitFor(() => this.messages.find((m) => m.event === event), { what: `a ${event} message`, timeoutMs: 5000 });
  }

  destroy(): void {
    this.socket.destroy();
  }
}

const servers: DemoGameserver[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(overrides: Partial<DemoGameserverOptions> = {}): Promise<{ server: DemoGameserver; base: string }> {
  const server = await createDemoGameserver({ gamePort: 0, webPort: 0, capacity: 2, sessionMs: 200, joinTimeoutMs: 5000, name: 'test', ...overrides });
  servers.push(server);
  return { server, base: `http://127.0.0.1:${server.ports.web}` };
}

function client(server: DemoGameserver): TestClient {
  const c = new TestClient(server.ports.game);
  clients.push(c);
  return c;
}

async function status(base: string, session: string): Promise<Record<string, unknown>> {
  return (await (await fetch(`${base}/status/Chess/${session}`)).json()) as Record<string, unknown>;
}

async function setup(base: string, body: Record<string, unknown>): Promise<number> {
  return (await fetch(`${base}/setup`, { method: 'POST', body: JSON.stringify({ gameName: 'Chess', ...body }) })).status;
}

describe('demo gameserver game port', () => {
  it.each([
    { name: 'default winner', settings: {}, winner: 0 },
    { name: 'winnerIndex from setup', settings: { winnerIndex: 1 }, winner: 1 },
  ])('plays a whole game: lobbied, start, over ($name)', async ({ settings, winner }) => {
    const { server, base } = await start();
    expect(await setup(base, { session: 'g1', password: 'pw', gameSettings: settings })).toBe(200);
    const a = client(server);
    const b = client(server);
    a.play({ requestedSession: 'g1', password: 'pw', playerName: 'alice', playerIndex: 0 });
    expect((await a.next('lobbied')).data).toEqual({ gameName: 'Chess', gameSession: 'g1' });
    expect((await status(base, 'g1')).status).toBe('open');
    b.play({ requestedSession: 'g1', password: 'pw', playerName: 'bob', playerIndex: 1 });
    expect((await a.next('start')).data).toEqual({ playerIndex: 0 });
    expect((await b.next('start')).data).toEqual({ playerIndex: 1 });
    expect((await status(base, 'g1')).status).toBe('running');
    expect((await a.next('over')).data).toMatchObject({ won: winner === 0, lost: winner !== 0 });
    expect((await b.next('over')).data).toMatchObject({ won: winner === 1, lost: winner !== 1 });
    await waitFor(() => a.closed && b.closed, { what: 'both sockets closed' });
    const final = await waitFor(async () => {
      const s = await status(base, 'g1');
      return s.gamelogFilename ? s : null;
    });
    expect(final).toMatchObject({ status: 'over', requiredNumberOfPlayers: 2 });
    expect(final.clients).toEqual([
      expect.objectContaining({ name: 'alice', index: 0, spectating: false, won: winner === 0, disconnected: false, timedOut: false }),
      expect.objectContaining({ name: 'bob', index: 1, won: winner === 1 }),
    ]);
    expect(server.health().available_capacity).toBe(2);
  });

  it('gives the game to the other player when one disconnects', async () => {
    const { server, base } = await start({ sessionMs: 60_000 });
    const a = client(server);
    const b = client(server);
    a.play({ requestedSession: 'd1', playerName: 'alice' });
    await a.next('lobbied');
    b.play({ requestedSession: 'd1', playerName: 'bob' });
    await b.next('start');
    a.destroy();
    expect((await b.next('over')).data).toEqual({ won: true, lost: false, reason: 'Opponent disconnected' });
    const s = await status(base, 'd1');
    expect(s.status).toBe('over');
    expect(s.clients).toEqual([
      expect.objectContaining({ name: 'alice', lost: true, disconnected: true, reason: 'Disconnected' }),
      expect.objectContaining({ name: 'bob', won: true, disconnected: false }),
    ]);
  });

  it('creates a session on the first play and counts it against capacity', async () => {
    const { server } = await start({ capacity: 1 });
    const a = client(server);
    a.play({ requestedSession: 'fresh', playerName: 'alice' });
    await a.next('lobbied');
    expect(server.health()).toMatchObject({ available_capacity: 0, active_sessions: 1 });
    const b = client(server);
    b.play({ requestedSession: 'another', playerName: 'bob' });
    expect((await b.next('fatal')).data.message).toMatch(/full/);
    await waitFor(() => b.closed, { what: 'refused client closed' });
  });

  it('ends an unjoined game at the join timeout, with no winner', async () => {
    const { server, base } = await start({ joinTimeoutMs: 100 });
    const a = client(server);
    a.play({ requestedSession: 'alone', playerName: 'alice' });
    expect((await a.next('over')).data).toEqual({ won: false, lost: false, reason: 'Not enough players joined in time' });
    expect((await status(base, 'alone')).status).toBe('over');
  });

  it('refuses a wrong password with fatal and closes', async () => {
    const { server, base } = await start();
    await setup(base, { session: 'locked', password: 'secret' });
    const a = client(server);
    a.play({ requestedSession: 'locked', password: 'guess', playerName: 'mallory' });
    expect((await a.next('fatal')).data.message).toMatch(/password/i);
    await waitFor(() => a.closed, { what: 'socket closed' });
    expect(a.messages.some((m) => m.event === 'lobbied')).toBe(false);
  });

  it.each([
    ['bad JSON', 'this is not json\x04'],
    ['a JSON array', '[1,2,3]\x04'],
    ['a play without data', '{"event":"play"}\x04'],
    ['a play with a numeric game', '{"event":"play","data":{"gameName":5}}\x04'],
    ['an endless message', 'x'.repeat(1_100_000)],
  ])('answers %s with fatal, closes, and keeps serving', async (_name, text) => {
    const { server } = await start();
    const bad = client(server);
    bad.raw(text);
    await bad.next('fatal');
    await waitFor(() => bad.closed, { what: 'garbage connection closed' });
    const good = client(server);
    good.play({ requestedSession: 'after', playerName: 'alice' });
    await good.next('lobbied');
  });

  it('assembles a message split across packets', async () => {
    const { server } = await start();
    const a = client(server);
    const text = `${JSON.stringify({ event: 'play', data: { gameName: 'Chess', requestedSession: 'split', playerName: 'a' } })}\x04`;
    a.raw(text.slice(0, 10));
    await new Promise<void>((resolve) => setImmediate(resolve));
    a.raw(text.slice(10));
    await a.next('lobbied');
  });
});
