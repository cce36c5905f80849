// LOCAL_GAMESERVER=cerveau: the real manager starts, per server, Cerveau (here the project's fake, started as
// `node dist/index.js --arena --tcp-port … --http-port … --ws-port … --logs-dir …` from CERVEAU_DIR) behind a sidecar.
// A match plays through it; failed matches give their seats back at once, so they do not make the manager launch
// another server; killing Cerveau kills the server, which is replaced, and nothing is left behind.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMatch } from '../../src/runner/run-match.js';
import { startLocalManager } from '../support/local-manager.js';
import { childProcesses, isRunning, REPO_ROOT, stopAll, type RunningProcess } from '../support/processes.js';
import { waitFor } from '../support/wait.js';

const PLAYER = join(REPO_ROOT, 'test/fixtures/players/player.mjs');
const player = `${process.execPath} ${PLAYER} --host {host} --port {port} --game {game} --session {session} --password {password} --name {name} --index {index}`;
let manager: RunningProcess;
let base: string;
let root: string;

interface ServerRow { id: string; state: string; host: string; ports: { game: number; web: number } }
async function servers(): Promise<ServerRow[]> {
  const res = await fetch(`${base}/api/servers`, { signal: AbortSignal.timeout(2000) });
  return ((await res.json()) as { servers: ServerRow[] }).servers;
}
async function sidecarHealth(port: number): Promise<{ available_capacity: number; active_sessions: number }> {
  return (await (await fetch(`http://127.0.0.1:${port}/health/`, { signal: AbortSignal.timeout(2000) })).json()) as { available_capacity: number; active_sessions: number };
}
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'arbiter-cerveau-e2e-'));
  const cerveauDir = join(root, 'Cerveau');
  mkdirSync(join(cerveauDir, 'dist'), { recursive: true });
  writeFileSync(join(cerveauDir, 'dist', 'index.js'), `import ${JSON.stringify(join(REPO_ROOT, 'dist/test/support/fake-cerveau-main.js'))};\n`);
  ({ proc: manager, base } = await startLocalManager({
    LOCAL_GAMESERVER: 'cerveau',
    CERVEAU_DIR: cerveauDir,
    SLEEP_TIME: '0.5',
    POLL_INTERVAL: '0.3',
    TMPDIR: root,
    // a seat handed out counts at the manager for JOIN_GRACE whatever the server says: kept short, so that what this
    // test sees is the sidecar's count (without the release, each failure would hold its seat for JOIN_DEADLINE, 120 s)
    JOIN_GRACE: '0.2',
    LOG_LEVEL: 'info',
  }));
  await waitFor(async () => (await servers()).some((s) => s.state === 'active'), { timeoutMs: 20_000, what: 'an active Cerveau gameserver' });
}, 30_000);

afterAll(async () => {
  await manager?.stop(10_000);
  await stopAll();
  rmSync(root, { recursive: true, force: true });
});

describe('local mode with LOCAL_GAMESERVER=cerveau', () => {
  it('plays a match through Cerveau and the sidecar in front of it', async () => {
    const result = await runMatch({ managerUrl: base, game: 'Chess', clients: [player, player], timeoutMs: 20_000, outDir: join(root, 'm1'), settleMs: 500 });
    expect(result).toMatchObject({ status: 'completed', outcome: 'win', winner: 'client-0' });
    const [server] = await servers();
    expect(result.server?.ports.web).toBe(server?.ports.web); // the sidecar's port, not Cerveau's
  }, 30_000);

  it('gives the seats of three failed matches back at once: no second server is launched', async () => {
    const before = (await servers()).filter((s) => s.state !== 'stopped');
    expect(before).toHaveLength(1);
    // the match above ends its count once the sidecar sees it over
    await waitFor(async () => (await sidecarHealth(before[0]!.ports.web)).active_sessions === 0, { timeoutMs: 10_000, what: 'the played match counted out' });
    // bots that never connect, each taking longer than a poll (as real failures do), so that the manager's own
    // reservation for the seat gives way to what the sidecar reports
    for (let i = 0; i < 3; i += 1) {
      const result = await runMatch({ managerUrl: base, game: 'Chess', clients: ['sleep 0.8 # {index} {name}', 'sleep 0.8 # {index} {name}'], timeoutMs: 5_000, outDir: join(root, `f${i}`), settleMs: 100, statusAttempts: 1 });
      expect(result.failure).toBe('clients_never_connected');
      expect(await sidecarHealth(result.server!.ports.web)).toMatchObject({ active_sessions: 0, available_capacity: 4 });
    }
    // a few ticks later the fleet is still the one server (without the release, 3 of 4 seats would be held for 120 s)
    await new Promise((r) => setTimeout(r, 2_000));
    const launches = manager.events().filter((e) => /launch|scal/i.test(String(e.message)));
    expect((await servers()).filter((s) => s.state !== 'stopped').map((s) => s.id), JSON.stringify(launches)).toEqual(before.map((s) => s.id));
  }, 40_000);

  it('a killed Cerveau is a dead server: replaced, and nothing of it is left running', async () => {
    const [old] = (await servers()).filter((s) => s.state === 'active');
    const cerveau = childProcesses(manager.pid)
      .flatMap((launcher) => childProcesses(launcher.pid))
      .find((p) => p.cmdline.includes(`--tcp-port ${old!.ports.game}`));
    expect(cerveau, 'the Cerveau process of the active server').toBeDefined();
    const launcher = childProcesses(manager.pid).find((p) => childProcesses(p.pid).some((c) => c.pid === cerveau!.pid));
    process.kill(cerveau!.pid, 'SIGKILL');
    await waitFor(async () => (await servers()).some((s) => s.state === 'active' && s.id !== old!.id), { timeoutMs: 20_000, what: 'a replacement server' });
    await waitFor(() => !isRunning(launcher!.pid), { timeoutMs: 5_000, what: 'the dead server launcher gone' });
    expect((await servers()).find((s) => s.id === old!.id)?.state ?? 'gone').not.toBe('active');
    // the manager stops: every launcher and Cerveau goes with it
    const live = childProcesses(manager.pid).flatMap((l) => [l.pid, ...childProcesses(l.pid).map((c) => c.pid)]);
    expect(live.length).toBeGreaterThan(0);
    await manager.stop(10_000);
    await waitFor(() => live.every((pid) => !isRunning(pid)), { timeoutMs: 10_000, what: 'no orphans' });
  }, 40_000);
});
