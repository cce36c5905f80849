// The "done when": arbiter-run-match plays a match through the manager in local mode and
// writes its result and gamelog. Everything here is a real process: manager, gameservers, CLI, players.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MatchResult } from '../../src/runner/types.js';
import { startLocalManager } from '../support/local-manager.js';
import { REPO_ROOT, stopAll, type RunningProcess } from '../support/processes.js';
import { waitFor } from '../support/wait.js';

const PLAYER = join(REPO_ROOT, 'test/fixtures/players/player.mjs');
let manager: RunningProcess;
let managerUrl: string;
let outRoot: string;

function player(): string {
  return `${process.execPath} ${PLAYER} --host {host} --port {port} --game {game} --session {session} --password {password} --name {name} --index {index} --mode normal`;
}

function runCli(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const proc = spawn(process.execPath, [join(REPO_ROOT, 'dist/src/runner/cli.js'), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const killer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    proc.once('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stderr });
    }),
  );
}

beforeAll(async () => {
  outRoot = mkdtempSync(join(tmpdir(), 'arbiter-match-'));
  ({ proc: manager, base: managerUrl } = await startLocalManager({ SLEEP_TIME: '0.5', POLL_INTERVAL: '0.3', DEMO_SESSION_SECONDS: '1' }));
  await waitFor(
    async () => {
      const res = await fetch(`${managerUrl}/api/servers`);
      const body = (await res.json()) as { servers: Array<{ state: string }> };
      return body.servers.some((s) => s.state === 'active');
    },
    { timeoutMs: 15_000, what: 'an active gameserver' },
  );
});

afterAll(async () => {
  await manager?.stop(10_000);
  await stopAll();
  rmSync(outRoot, { recursive: true, force: true });
});

describe('arbiter-run-match through the manager in local mode', () => {
  it('plays a match and writes the result and the gamelog', async () => {
    const out = join(outRoot, 'm1');
    const { code, stderr } = await runCli(['--manager', managerUrl, '--game', 'Demo', '--client', player(), '--client', player(), '--timeout', '30', '--out', out, '--settle', '1']);
    expect(code, stderr).toBe(0);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as MatchResult;
    expect(result.status).toBe('completed');
    expect(result.server?.host).toBe('127.0.0.1');
    expect(result.winner).not.toBeNull();
    const gamelog = JSON.parse(gunzipSync(readFileSync(result.files.gamelog as string)).toString('utf8')) as Record<string, unknown>;
    expect(gamelog).toBeTypeOf('object');
    // The server the manager chose is one it lists.
    const servers = (await (await fetch(`${managerUrl}/api/servers`)).json()) as { servers: Array<{ id: string }> };
    expect(servers.servers.map((s) => s.id)).toContain(result.server?.id);
  }, 60_000);
});
