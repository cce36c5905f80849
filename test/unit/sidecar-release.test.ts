// A failed match frees its seat at once: the runner's authenticated POST /release/ ends the count of its session, and a
// session whose players all left before the start is freed without waiting for JOIN_DEADLINE.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMatch } from '../../src/runner/run-match.js';
import { createSidecar, type Sidecar } from '../../src/sidecar/sidecar.js';
import { releaseTarget } from '../../src/sidecar/release.js';
import { startFakeCerveau, type FakeCerveau } from '../support/fake-cerveau.js';
import { waitFor } from '../support/wait.js';

const TOKEN = 'sidecar-token-0123456789abcdef';
let cerveau: FakeCerveau;
let sidecar: Sidecar | null = null;
let base: string;

async function start(overrides: Partial<Parameters<typeof createSidecar>[0]> = {}): Promise<void> {
  sidecar = createSidecar({
    cerveauUrl: cerveau.url, maxSessions: 2, port: 0, host: '127.0.0.1', statusPollIntervalMs: 20, joinDeadlineMs: 60_000,
    sessionDeadlineMs: 60_000, lapsedCheckMs: 30, ...overrides,
  });
  base = `http://127.0.0.1:${(await sidecar.listen()).port}`;
}

const setup = (session: string, password?: string) =>
  fetch(`${base}/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ gameName: 'Chess', session, ...(password ? { password } : {}), gameSettings: { playerNames: ['a', 'b'] } }),
  });
const release = (path: string, init: { token?: string; body?: unknown } = {}) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
const active = () => sidecar!.health().active_sessions;

beforeEach(async () => {
  cerveau = await startFakeCerveau();
});
afterEach(async () => {
  await sidecar?.close();
  sidecar = null;
  await cerveau.close();
});

describe('sidecar release', () => {
  it.each([
    { name: 'no credentials', init: {} },
    { name: 'a wrong token', init: { token: 'not-the-token-at-all-xxxx' } },
    { name: 'a wrong password', init: { body: { password: 'guess' } } },
  ])('refuses $name with 401 and keeps counting the session', async ({ init }) => {
    await start({ drainToken: TOKEN });
    expect((await setup('s1', 'secret-pw')).status).toBe(200);
    const res = await release('/release/Chess/s1', init);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toMatch(/ARBITER_SIDECAR_TOKEN/);
    expect(active()).toBe(1);
  });

  it.each([
    { name: "the manager's token", path: '/release/Chess/s1', init: { token: TOKEN } },
    { name: "the session's setup password", path: '/RELEASE/Chess/s1/', init: { body: { password: 'secret-pw' } } },
  ])('frees the seat at once with $name', async ({ path, init }) => {
    await start({ drainToken: TOKEN });
    await setup('s1', 'secret-pw');
    expect(sidecar!.health()).toMatchObject({ available_capacity: 1, active_sessions: 1 });
    const res = await release(path, init);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ released: { gameName: 'Chess', session: 's1' }, available_capacity: 2, active_sessions: 0 });
  });

  it('keeps session ids as sent (case, escapes) and answers 404 for one it does not count', async () => {
    await start({ drainToken: TOKEN });
    await setup('Arena_1 x', 'pw');
    expect(releaseTarget('/Release/Chess/Arena_1%20x')).toEqual({ gameName: 'Chess', session: 'Arena_1 x' });
    expect((await release('/release/Chess/arena_1%20x', { token: TOKEN })).status).toBe(404);
    expect((await release('/release/Chess/Arena_1%20x', { token: TOKEN })).status).toBe(200);
    expect((await release('/release/Chess/Arena_1%20x', { token: TOKEN })).status).toBe(404);
    expect((await fetch(`${base}/release/Chess/x`)).status).toBe(405);
  });

  it('refuses a body that is not {"password"} with 400', async () => {
    await start();
    await setup('s1', 'pw');
    expect((await release('/release/Chess/s1', { body: { password: 7 } })).status).toBe(400);
    expect((await release('/release/Chess/s1', { body: { password: 'pw', more: 1 } })).status).toBe(400);
    expect(active()).toBe(1);
  });

  it('counts a released session again if its game runs with players after all', async () => {
    await start({ drainToken: TOKEN });
    await setup('s1', 'pw');
    await release('/release/Chess/s1', { token: TOKEN });
    expect(active()).toBe(0);
    cerveau.join('Chess', 's1', ['a', 'b']);
    await waitFor(() => active() === 1, { timeoutMs: 3000, what: 'the released session counted again' });
  });

  it('frees a session whose players all left before the game started (Cerveau deleted the room)', async () => {
    await start();
    await setup('s1', 'pw');
    cerveau.join('Chess', 's1', ['a']);
    await waitFor(() => sidecar!.sessions()[0]?.sawPlayers === true, { timeoutMs: 3000, what: 'the player seen' });
    cerveau.leave('Chess', 's1', ['a']);
    await waitFor(() => active() === 0, { timeoutMs: 3000, what: 'the abandoned session freed' });
  });

  it('frees a session that lists only disconnected players before the start', async () => {
    await start();
    await setup('s1', 'pw');
    cerveau.join('Chess', 's1', ['a']);
    cerveau.leave('Chess', 's1', ['a'], { keepRoom: true });
    await waitFor(() => active() === 0, { timeoutMs: 3000, what: 'the abandoned session freed' });
  });
});

describe('runMatch gives its seat back', () => {
  let manager: Server | null = null;
  let out = '';
  afterEach(async () => {
    if (manager) await new Promise<void>((r) => manager!.close(() => r()));
    manager = null;
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it.each([
    { name: 'a client crash, by the password alone', clients: ['exit 3 # {index} {name}', 'sleep 5 # {index} {name}'], failure: 'client_crashed', token: undefined, play: false },
    { name: 'a timeout, with the sidecar token', clients: ['sleep 5 # {index} {name}', 'sleep 5 # {index} {name}'], failure: 'timeout', token: TOKEN, play: true },
    { name: 'clients that never connect', clients: ['sleep 0.2 # {index} {name}', 'sleep 0.2 # {index} {name}'], failure: 'clients_never_connected', token: undefined, play: false },
  ])('after $name the sidecar counts the session no more', async ({ clients, failure, token, play }) => {
    await start({ drainToken: TOKEN });
    const port = Number(new URL(base).port);
    manager = createServer((_req, res) => {
      const body = { available: '127.0.0.1:4000', server_id: 's', name: 's', host: '127.0.0.1', ports: { game: 4000, web: port }, backup: false };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((r) => manager!.listen(0, '127.0.0.1', r));
    out = mkdtempSync(join(tmpdir(), 'arbiter-release-'));
    const running = runMatch({
      managerUrl: `http://127.0.0.1:${(manager.address() as { port: number }).port}`, game: 'Chess', clients, timeoutMs: 2_000, outDir: out,
      settleMs: 100, killGraceMs: 200, statusAttempts: 1, watchIntervalMs: 5_000, sidecarToken: token,
    });
    const session = await waitFor(() => [...cerveau.sessions.values()][0], { what: 'the setup' });
    if (play) cerveau.join('Chess', session.gameSession, ['client-0', 'client-1']); // the game runs, nobody finishes it
    const result = await running;
    expect(result.failure).toBe(failure);
    expect(cerveau.sessions.size).toBe(1); // Cerveau still holds the room ...
    expect(sidecar!.health()).toMatchObject({ active_sessions: 0, available_capacity: 2 }); // ... but the seat is free
  });
});
