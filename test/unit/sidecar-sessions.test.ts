import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSidecar, type Sidecar } from '../../src/sidecar/sidecar.js';
import { FakeCerveau, startFakeCerveau } from '../support/fake-cerveau.js';
import { waitFor } from '../support/wait.js';

let cerveau: FakeCerveau;
let sidecar: Sidecar;
let base: string;

async function start(overrides: Partial<Parameters<typeof createSidecar>[0]> = {}): Promise<void> {
  sidecar = createSidecar({
    cerveauUrl: cerveau.url,
    maxSessions: 2,
    port: 0,
    host: '127.0.0.1',
    statusPollIntervalMs: 20,
    crashGraceMs: 150,
    joinDeadlineMs: 60_000,
    sessionDeadlineMs: 60_000,
    ...overrides,
  });
  const address = await sidecar.listen();
  base = `http://127.0.0.1:${address.port}`;
}

const setup = (session: string, gameName = 'Chess') =>
  fetch(`${base}/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ gameName, session, password: 'pw', gameSettings: { playerNames: ['a', 'b'] } }),
  });
const health = async () => (await (await fetch(`${base}/health/`)).json()) as Record<string, unknown>;

beforeEach(async () => {
  cerveau = await startFakeCerveau();
});
afterEach(async () => {
  await sidecar?.close();
  await cerveau.close();
});

describe('sidecar sessions', () => {
  it('counts sessions created through /setup and refuses the one over the limit with 503', async () => {
    await start();
    expect(await health()).toEqual({ available_capacity: 2, ready_to_close: false, max_capacity: 2, active_sessions: 0, draining: false });
    expect((await setup('s1')).status).toBe(200);
    expect(await health()).toMatchObject({ available_capacity: 1, active_sessions: 1 });
    expect((await setup('s2')).status).toBe(200);
    const refused = await setup('s3');
    expect(refused.status).toBe(503);
    expect(await refused.json()).toHaveProperty('error');
    expect(cerveau.sessions.has('Chess/s3')).toBe(false);
    expect(await health()).toMatchObject({ available_capacity: 0, active_sessions: 2 });
  });

  it('holds a slot for setups in flight so that concurrent ones cannot overshoot', async () => {
    await start({ maxSessions: 3 });
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => setup(`c${i}`)));
    expect(answers.filter((r) => r.status === 200)).toHaveLength(3);
    expect(answers.filter((r) => r.status === 503)).toHaveLength(5);
    expect(cerveau.sessions.size).toBe(3);
  });

  it('releases the slot when Cerveau refuses the setup', async () => {
    await start({ maxSessions: 1 });
    expect((await setup('dup')).status).toBe(200);
    await sidecar.close();
    await start({ maxSessions: 5 });
    const taken = await setup('dup');
    expect(taken.status).toBe(400);
    expect(await taken.json()).toEqual({ error: 'session dup is already taken.' });
    const unknownGame = await setup('x', 'NoSuchGame');
    expect(unknownGame.status).toBe(400);
    expect(await health()).toMatchObject({ active_sessions: 0, available_capacity: 5 });
  });

  it('ends a session when Cerveau shows it over', async () => {
    await start();
    await setup('s1');
    cerveau.join('Chess', 's1', ['a', 'b']);
    await sidecar.pollNow();
    expect(await health()).toMatchObject({ active_sessions: 1 });
    cerveau.finish('Chess', 's1');
    await waitFor(async () => (await health()).active_sessions === 0, { timeoutMs: 2000, what: 'the session to end' });
    expect(await health()).toMatchObject({ available_capacity: 2 });
  });

  it('counts a crashed game (running, no clients) as ended only after the grace', async () => {
    await start({ crashGraceMs: 300 });
    await setup('s1');
    cerveau.join('Chess', 's1', ['a', 'b']);
    cerveau.crash('Chess', 's1');
    const crashedAt = Date.now();
    await waitFor(async () => (await health()).active_sessions === 0, { timeoutMs: 3000, what: 'the crashed session to end' });
    expect(Date.now() - crashedAt).toBeGreaterThanOrEqual(280);
    expect(cerveau.session('Chess', 's1').status).toBe('running');
  });

  it('ends a session at its deadline even while it still runs', async () => {
    await start({ sessionDeadlineMs: 300 });
    await setup('s1');
    cerveau.join('Chess', 's1', ['a', 'b']);
    await sidecar.pollNow();
    expect(sidecar.sessions()).toHaveLength(1);
    await waitFor(async () => (await health()).active_sessions === 0, { timeoutMs: 3000, what: 'the deadline' });
  });

  it('ends a session nobody joins within the join deadline', async () => {
    await start({ joinDeadlineMs: 200 });
    await setup('lonely');
    await waitFor(async () => (await health()).active_sessions === 0, { timeoutMs: 3000, what: 'the join deadline' });
  });

  it('counts a session again when late players start it after its join deadline, and forgets it once over', async () => {
    await start({ joinDeadlineMs: 100, lapsedCheckMs: 50 });
    await setup('late');
    await waitFor(async () => (await health()).active_sessions === 0, { timeoutMs: 3000, what: 'the join deadline' });
    // Cerveau keeps the room open: two players come after all
    cerveau.join('Chess', 'late', ['a', 'b']);
    await waitFor(async () => (await health()).active_sessions === 1, { timeoutMs: 3000, what: 'the late start counted' });
    expect(sidecar.sessions().map((s) => s.session)).toEqual(['late']);
    cerveau.finish('Chess', 'late');
    await waitFor(async () => (await health()).active_sessions === 0, { timeoutMs: 3000, what: 'the late game over' });
    await new Promise((r) => setTimeout(r, 200));
    expect(await health()).toMatchObject({ active_sessions: 0, available_capacity: 2 });
  });

  it('refuses a setup without a session id, which it could not count, and forwards nothing', async () => {
    await start();
    for (const body of [{ gameName: 'Chess' }, { gameName: 'Chess', session: '' }, { gameName: 'Chess', session: 7 }]) {
      const res = await fetch(`${base}/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(/^session: /);
    }
    expect(cerveau.requests.filter((r) => r.url === '/setup')).toHaveLength(0);
    expect(await health()).toMatchObject({ active_sessions: 0, available_capacity: 2 });
  });

  it('refuses setups while draining and reports ready_to_close when the last session ends', async () => {
    await start();
    await setup('s1');
    cerveau.join('Chess', 's1', ['a', 'b']);
    const drained = await fetch(`${base}/drain/`, { method: 'POST' });
    expect(drained.status).toBe(200);
    expect(await health()).toEqual({ available_capacity: 0, ready_to_close: false, max_capacity: 2, active_sessions: 1, draining: true });
    expect((await setup('s2')).status).toBe(503);
    cerveau.finish('Chess', 's1');
    await waitFor(async () => (await health()).ready_to_close === true, { timeoutMs: 2000, what: 'ready_to_close' });
    await fetch(`${base}/undrain`, { method: 'POST' });
    expect(await health()).toMatchObject({ available_capacity: 2, ready_to_close: false, draining: false });
    expect((await setup('s2')).status).toBe(200);
  });

  it('keeps a session while Cerveau does not answer, until the deadline', async () => {
    await start({ sessionDeadlineMs: 400, statusTimeoutMs: 100 });
    await setup('s1');
    await cerveau.close();
    await sidecar.pollNow();
    expect(sidecar.sessions()).toHaveLength(1);
    await waitFor(() => sidecar.sessions().length === 0, { timeoutMs: 3000, what: 'the deadline' });
  });
});
