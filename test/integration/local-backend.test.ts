// LocalBackend with real demo gameserver processes (needs `npm run build`: it runs dist/src/gameserver/main.js).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LocalBackend, LocalBackendOptionsError, type LocalBackendOptions } from '../../src/local/local-backend.js';
import type { BackendServer } from '../../src/manager/types.js';
import { createSilentLogger } from '../../src/shared/log.js';
import { waitFor } from '../support/wait.js';

const backends: LocalBackend[] = [];
const strayPids: number[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all(backends.splice(0).map((b) => b.close()));
  for (const pid of strayPids.splice(0)) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function makeBackend(overrides: Partial<LocalBackendOptions> = {}): LocalBackend {
  const backend = new LocalBackend({ capacity: 3, sessionMs: 30_000, stopGraceMs: 2000, logger: createSilentLogger(), ...overrides });
  backends.push(backend);
  return backend;
}

async function waitForStatus(backend: LocalBackend, id: string, status: BackendServer['status']): Promise<BackendServer> {
  return waitFor(async () => (await backend.list()).find((s) => s.id === id && s.status === status), { what: `${id} ${status}` });
}

describe('LocalBackend with the demo gameserver', () => {
  it('launches servers that learn distinct ports and answer /health/', async () => {
    const backend = makeBackend();
    const result = await backend.launch(2);
    expect(result.failures).toEqual([]);
    expect(result.launched.map((s) => s.id)).toEqual(['local-1', 'local-2']);
    expect(result.launched.every((s) => s.status === 'starting' || s.status === 'running')).toBe(true);
    const running = await waitFor(async () => {
      const list = await backend.list();
      return list.filter((s) => s.status === 'running').length === 2 ? list : null;
    }, { what: 'two running servers' });
    const ports = running.flatMap((s) => [s.ports!.game, s.ports!.web]);
    expect(new Set(ports).size).toBe(4);
    for (const server of running) {
      expect(server.host).toBe('127.0.0.1');
      const res = await fetch(`http://127.0.0.1:${server.ports!.health}/health/`);
      expect(await res.json()).toMatchObject({ available_capacity: 3, ready_to_close: false });
    }
  });

  it('stops a server on request and keeps listing it as stopped', async () => {
    const backend = makeBackend();
    await backend.launch(1);
    const server = await waitForStatus(backend, 'local-1', 'running');
    await backend.stop('local-1', 'scale in');
    await backend.stop('local-1', 'scale in again');
    const stopped = await waitForStatus(backend, 'local-1', 'stopped');
    expect(stopped.stoppedReason).toBe('scale in; exited with code 0');
    await expect(fetch(`http://127.0.0.1:${server.ports!.health}/health/`)).rejects.toThrow();
    await backend.stop('local-1', 'already gone');
    await backend.stop('no-such-server', 'never existed');
  });

  it('notices a child killed from outside', async () => {
    const backend = makeBackend();
    await backend.launch(1);
    await waitForStatus(backend, 'local-1', 'running');
    const [pid] = backend.livePids();
    process.kill(pid!, 'SIGKILL');
    const stopped = await waitForStatus(backend, 'local-1', 'stopped');
    expect(stopped.stoppedReason).toBe('killed by SIGKILL');
  });

  it('keeps the standby mark in memory', async () => {
    const backend = makeBackend();
    await backend.launch(1);
    await backend.markStandby('local-1', true);
    expect((await backend.list())[0]?.standby).toBe(true);
    await backend.markStandby('local-1', false);
    expect((await backend.list())[0]?.standby).toBe(false);
    await expect(backend.markStandby('local-9', true)).rejects.toThrow(/local-9/);
  });

  it('close() leaves no child alive and is idempotent', async () => {
    const backend = makeBackend();
    await backend.launch(2);
    await waitFor(async () => (await backend.list()).every((s) => s.status === 'running'));
    const pids = backend.livePids();
    expect(pids).toHaveLength(2);
    await Promise.all([backend.close(), backend.close()]);
    expect(pids.filter(isAlive)).toEqual([]);
    expect((await backend.launch(1)).failures).toEqual([{ reason: 'backend-closed' }]);
  });

  it('reports a missing gameserver build as a launch failure', async () => {
    const backend = makeBackend({ gameserverScript: '/nonexistent/main.js' });
    const result = await backend.launch(2);
    expect(result.launched).toEqual([]);
    expect(result.failures).toHaveLength(2);
    expect(result.failures[0]?.reason).toBe('launch-error');
  });

  it('lets no demo child outlive a manager killed with SIGKILL', async () => {
    const moduleUrl = new URL('../../dist/src/local/local-backend.js', import.meta.url).href;
    const logUrl = new URL('../../dist/src/shared/log.js', import.meta.url).href;
    const program = `
      const { LocalBackend } = await import(${JSON.stringify(moduleUrl)});
      const { createSilentLogger } = await import(${JSON.stringify(logUrl)});
      const backend = new LocalBackend({ capacity: 1, sessionMs: 60000, stopGraceMs: 1000, logger: createSilentLogger() });
      await backend.launch(1);
      console.log(JSON.stringify(backend.livePids()));
      setInterval(() => {}, 1000);`;
    const manager = spawn(process.execPath, ['--input-type=module', '-e', program], { stdio: ['ignore', 'pipe', 'inherit'] });
    strayPids.push(manager.pid!);
    let out = '';
    manager.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const childPids = await waitFor(() => (out.includes(']') ? (JSON.parse(out) as number[]) : null), { what: 'child pids' });
    strayPids.push(...childPids);
    expect(childPids.every(isAlive)).toBe(true);
    process.kill(manager.pid!, 'SIGKILL');
    await waitFor(() => childPids.every((pid) => !isAlive(pid)), { what: 'children gone after the manager died' });
  });

  it('hosts a game between two player fixtures, and a crashing player loses nothing for the server', async () => {
    // A short game, but not a short lobby: the join timeout defaults to the session length, and on a loaded machine
    // bob's node started more than 300 ms after alice's, which ended m1 with no winner before he joined.
    vi.stubEnv('DEMO_JOIN_TIMEOUT_SECONDS', '30');
    const backend = makeBackend({ sessionMs: 300, passEnv: ['DEMO_JOIN_TIMEOUT_SECONDS'] });
    await backend.launch(1);
    const server = await waitForStatus(backend, 'local-1', 'running');
    const player = fileURLToPath(new URL('../fixtures/players/player.mjs', import.meta.url));
    const run = (name: string, index: number, mode: string) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const args = [player, '--port', String(server.ports!.game), '--game', 'Chess', '--session', 'm1', '--name', name, '--index', String(index), '--mode', mode];
        const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
        strayPids.push(child.pid!);
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.on('close', (code) => resolve({ code, out }));
      });
    const statusOf = async () => (await (await fetch(`http://127.0.0.1:${server.ports!.web}/status/Chess/m1`)).json()) as { clients: Array<{ name: string }> };
    expect((await run('crasher', 0, 'crash')).code).toBe(3);
    await waitFor(async () => (await statusOf()).clients.length === 0, { what: 'the crashed player to leave the lobby' });
    const [a, b] = await Promise.all([run('alice', 0, 'normal'), run('bob', 1, 'normal')]);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(JSON.parse(a.out)).toMatchObject({ event: 'over', data: { won: true, lost: false } });
    expect(JSON.parse(b.out)).toMatchObject({ event: 'over', data: { won: false, lost: true } });
    expect((await statusOf()).clients.map((c) => c.name)).toEqual(['alice', 'bob']);
  });

  it.each([
    { name: 'capacity 0', options: { capacity: 0 }, error: /capacity/ },
    { name: 'a negative grace', options: { stopGraceMs: -1 }, error: /stopGraceMs/ },
    { name: 'no session length', options: { sessionMs: 0 }, error: /sessionMs/ },
    { name: 'an empty command', options: { command: '  ' }, error: /command/ },
  ])('refuses $name', ({ options, error }) => {
    expect(() => new LocalBackend({ capacity: 1, sessionMs: 1000, stopGraceMs: 1000, logger: createSilentLogger(), ...options })).toThrow(LocalBackendOptionsError);
    expect(() => new LocalBackend({ capacity: 1, sessionMs: 1000, stopGraceMs: 1000, logger: createSilentLogger(), ...options })).toThrow(error);
  });
});
