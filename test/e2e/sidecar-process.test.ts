// The sidecar as it runs in a task: its own process, in front of a gameserver web API (the demo
// gameserver, which speaks Cerveau's /setup, /status and /gamelog), with a real match played through it.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, startNode, stopAll, type RunningProcess } from '../support/processes.js';
import { freePort, waitFor } from '../support/wait.js';

interface Health {
  available_capacity: number;
  ready_to_close: boolean;
  max_capacity: number;
  active_sessions: number;
  draining: boolean;
}

let gameserver: RunningProcess;
let sidecar: RunningProcess;
let gamePort: number;
let sidecarUrl: string;

async function health(): Promise<Health> {
  return (await (await fetch(`${sidecarUrl}/health/`)).json()) as Health;
}

function setup(session: string): Promise<Response> {
  return fetch(`${sidecarUrl}/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ gameName: 'Chess', session, password: 'pw', gameSettings: {} }),
  });
}

function play(session: string, index: number): Promise<number | null> {
  const proc = spawn(process.execPath, [join(REPO_ROOT, 'test/fixtures/players/player.mjs'), '--host', '127.0.0.1', '--port', String(gamePort), '--game', 'Chess', '--session', session, '--password', 'pw', '--name', `p${index}`, '--index', String(index)], { stdio: 'ignore' });
  const killer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    proc.once('exit', (code) => {
      clearTimeout(killer);
      resolve(code);
    }),
  );
}

beforeAll(async () => {
  gamePort = await freePort();
  const webPort = await freePort();
  const sidecarPort = await freePort();
  sidecarUrl = `http://127.0.0.1:${sidecarPort}`;
  // The upstream has room for 10; the sidecar's limit of 2 is what must hold.
  gameserver = startNode('dist/src/gameserver/main.js', { LOG_LEVEL: 'warn' }, ['--host', '127.0.0.1', '--game-port', String(gamePort), '--web-port', String(webPort), '--capacity', '10', '--session-seconds', '1', '--join-timeout-seconds', '30', '--name', 'upstream']);
  await waitFor(() => gameserver.lines.some((l) => l.includes('"listening"')), { what: 'the upstream gameserver' });
  sidecar = startNode('dist/src/sidecar/main.js', {
    SIDECAR_PORT: String(sidecarPort),
    SIDECAR_HOST: '127.0.0.1',
    CERVEAU_URL: `http://127.0.0.1:${webPort}`,
    MAX_SESSIONS: '2',
    STATUS_POLL_INTERVAL: '0.2',
    LOG_LEVEL: 'info',
  });
  await waitFor(async () => (await fetch(`${sidecarUrl}/health/`)).ok, { what: 'the sidecar' });
});

afterAll(async () => {
  const result = await sidecar?.stop();
  await gameserver?.stop();
  await stopAll();
  expect(result?.code).toBe(0);
});

describe('sidecar process', () => {
  it('refuses to start on a bad environment, naming the variable', async () => {
    const bad = startNode('dist/src/sidecar/main.js', { MAX_SESSIONS: 'lots', CERVEAU_URL: 'not a url' });
    const { code } = await bad.exited;
    expect(code).toBe(2);
    const stderr = bad.lines.join('\n');
    expect(stderr).toContain('MAX_SESSIONS');
    expect(stderr).toContain('CERVEAU_URL');
  });

  it('counts sessions, enforces its limit, ends them when the game is over, and drains', async () => {
    expect(await health()).toMatchObject({ available_capacity: 2, active_sessions: 0, ready_to_close: false });
    expect((await setup('s1')).status).toBe(200);
    expect((await setup('s2')).status).toBe(200);
    expect(await health()).toMatchObject({ available_capacity: 0, active_sessions: 2 });
    const refused = await setup('s3');
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: string }).error).toBeTruthy();

    // Two players finish s1 through the game port; the sidecar sees `over` through /status and frees the slot.
    const codes = await Promise.all([play('s1', 0), play('s1', 1)]);
    expect(codes).toEqual([0, 0]);
    await waitFor(async () => (await health()).active_sessions === 1, { timeoutMs: 10_000, what: 's1 counted as ended' });
    const status = (await (await fetch(`${sidecarUrl}/status/Chess/s1`)).json()) as { status: string; gamelogFilename: string | null };
    expect(status.status).toBe('over');
    const gamelog = await fetch(`${sidecarUrl}/gamelog/${status.gamelogFilename}`);
    expect(gamelog.status).toBe(200);

    // Draining refuses new sessions and reports ready_to_close once the last one ends.
    expect((await fetch(`${sidecarUrl}/drain/`, { method: 'POST' })).status).toBe(200);
    expect((await setup('s4')).status).toBe(503);
    expect(await health()).toMatchObject({ draining: true, ready_to_close: false, available_capacity: 0 });
    await Promise.all([play('s2', 0), play('s2', 1)]);
    await waitFor(async () => (await health()).ready_to_close, { timeoutMs: 10_000, what: 'ready_to_close after the last session' });
    expect(sidecar.events().some((e) => e.message === 'session ended')).toBe(true);
  }, 60_000);
});
