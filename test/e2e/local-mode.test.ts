// The manager as users run it (`node dist/src/main.js`, local mode), with real gameserver processes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalManager } from '../support/local-manager.js';
import { childProcesses, isAlive, stopAll, type RunningProcess } from '../support/processes.js';
import { freePortPair, waitFor } from '../support/wait.js';

interface ServerView {
  id: string;
  name: string;
  state: string;
  host: string | null;
  ports: { game: number; web: number; health: number } | null;
  activeSessions: number;
  readyToClose: boolean;
}

let manager: RunningProcess;
let base: string;
let backupPort: number;

async function json<T>(path: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: (await res.json()) as T };
}

async function servers(): Promise<ServerView[]> {
  return (await json<{ servers: ServerView[] }>('/api/servers')).body.servers;
}

function gameserverPids(): Array<{ pid: number; cmdline: string }> {
  return childProcesses(manager.pid).filter((p) => p.cmdline.includes('gameserver/main.js'));
}

beforeAll(async () => {
  backupPort = await freePortPair();
  ({ proc: manager, base } = await startLocalManager({
    MIN_SERVERS: '1',
    MAX_SERVERS: '6',
    SLEEP_TIME: '0.3',
    POLL_INTERVAL: '0.2',
    HEALTH_TIMEOUT_MS: '500',
    FAIL_THRESHOLD: '3',
    RESERVATION_TTL: '1',
    JOIN_GRACE: '1',
    DEMO_SESSION_SECONDS: '4',
    LOCAL_STOP_GRACE: '1',
    BACKUP_GAMESERVER: `127.0.0.1:${backupPort}`,
    LOG_LEVEL: 'info',
  }));
  await waitFor(async () => (await json('/readyz')).status === 200, { timeoutMs: 15_000, what: 'manager ready' });
  await waitFor(async () => (await servers()).some((s) => s.state === 'active'), { timeoutMs: 15_000, what: 'a first active server' });
});

afterAll(async () => {
  const pids = manager ? gameserverPids().map((p) => p.pid) : [];
  const result = await manager?.stop(10_000);
  await stopAll();
  // Shutdown is clean and takes every gameserver with it.
  expect(result?.code).toBe(0);
  for (const pid of pids) expect(isAlive(pid)).toBe(false);
}, 30_000);

describe('local mode, end to end', () => {
  it('serves a live 127.0.0.1 gameserver at both allocation spellings', async () => {
    const res = await json<{ available: string; host: string; ports: { web: number }; backup: boolean }>('/available-server/');
    expect(res.status).toBe(200);
    expect(res.body.backup).toBe(false);
    expect(res.body.available).toMatch(/^127\.0\.0\.1:\d+$/);
    const health = await fetch(`http://${res.body.host}:${res.body.ports.web}/health/`);
    expect(health.status).toBe(200);
    const legacy = await json<{ available: string }>('/available-gameserver');
    expect(legacy.status).toBe(200);
    expect(legacy.body.available).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('grows the fleet as allocations turn into sessions, then shrinks it through standby when they end', async () => {
    const before = gameserverPids().length;
    let sessions = 0;
    // Each allocation becomes a real session on the server it names, until the fleet has grown.
    await waitFor(
      async () => {
        const alloc = await json<{ host: string; ports: { web: number }; backup: boolean }>(`/available-server/?session=e2e-${sessions}`);
        if (alloc.status === 200 && !alloc.body.backup) {
          const setup = await fetch(`http://${alloc.body.host}:${alloc.body.ports.web}/setup`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ gameName: 'Demo', session: `e2e-${sessions}`, password: 'pw' }),
          });
          if (setup.status === 200) sessions += 1;
        }
        return gameserverPids().length >= 3;
      },
      { timeoutMs: 20_000, intervalMs: 100, what: 'new gameserver processes' },
    );
    expect(gameserverPids().length).toBeGreaterThan(before);
    expect(sessions).toBeGreaterThanOrEqual(4);

    // Sessions end after the demo's join timeout; the extra servers drain, report ready_to_close and exit.
    const standbyLogged = () => manager.events().some((e) => e.message === 'server standby');
    await waitFor(standbyLogged, { timeoutMs: 20_000, what: 'a server put on standby' });
    await waitFor(async () => (await servers()).length === 1 && gameserverPids().length === 1, {
      timeoutMs: 30_000,
      intervalMs: 200,
      what: 'fleet back to MIN_SERVERS with one process',
    });
    const stops = manager.events().filter((e) => e.message === 'server stopping');
    expect(stops.some((e) => e.reason === 'standby and ready to close')).toBe(true);
  }, 60_000);

  it('replaces a gameserver killed with SIGKILL', async () => {
    const [victim] = await servers();
    expect(victim?.state).toBe('active');
    const proc = gameserverPids()[0];
    expect(proc).toBeDefined();
    process.kill(proc!.pid, 'SIGKILL');
    await waitFor(
      async () => {
        const now = await servers();
        return !now.some((s) => s.id === victim!.id) && now.some((s) => s.state === 'active');
      },
      { timeoutMs: 15_000, intervalMs: 100, what: 'killed server replaced' },
    ).catch((err: unknown) => {
      console.log(manager.lines.slice(-40).join('\n'));
      throw err;
    });
    const alloc = await json<{ server_id: string; backup: boolean }>('/available-server/');
    expect(alloc.body.backup).toBe(false);
    expect(alloc.body.server_id).not.toBe(victim!.id);
  }, 30_000);

  it('answers with the backup gameserver when no server has room', async () => {
    // Fill every slot through allocations (each reservation counts until its TTL).
    let sawBackup = false;
    for (let i = 0; i < 40 && !sawBackup; i += 1) {
      const alloc = await json<{ available: string; backup: boolean }>('/available-server/');
      if (alloc.body.backup) {
        sawBackup = true;
        expect(alloc.body.available).toBe(`127.0.0.1:${backupPort}`);
      }
    }
    expect(sawBackup).toBe(true);
    // The local backup gameserver really listens there.
    const backupHealth = await fetch(`http://127.0.0.1:${backupPort + 80}/health/`);
    expect(backupHealth.status).toBe(200);
  });
});
