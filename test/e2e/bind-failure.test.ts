// A port that cannot be bound stops the process: one line naming the address and the reason, a non-zero exit, and
// nothing started before it (no backup gameserver, no reaper, no gameserver).
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, stopAll, type RunningProcess } from '../support/processes.js';
import { freePort, freePortPair } from '../support/wait.js';

let blocker: Server;
let busyPort: number;

beforeAll(async () => {
  busyPort = await freePort();
  blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(busyPort, '127.0.0.1', resolve));
});

afterAll(async () => {
  await stopAll();
  await new Promise<void>((resolve) => blocker.close(() => resolve()));
});

async function exitOf(proc: RunningProcess): Promise<{ code: number | null; lines: string[] }> {
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 15_000);
  const { code } = await proc.exited;
  clearTimeout(timer);
  return { code, lines: proc.lines };
}

async function isBound(port: number): Promise<boolean> {
  const probe = createServer();
  return new Promise((resolve) => {
    probe.once('error', () => resolve(true));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
  });
}

describe('a port that cannot be bound', () => {
  it('stops the manager before it starts a backup or a gameserver', async () => {
    const backupPort = await freePortPair();
    const manager = startNode('dist/src/main.js', {
      ENV_FILE: '/nonexistent/.env', ARBITER_BACKEND: 'local', PORT: String(busyPort), HOST: '127.0.0.1', MIN_SERVERS: '2',
      BACKUP_GAMESERVER: `127.0.0.1:${backupPort}`, LOG_LEVEL: 'info',
    });
    const { code, lines } = await exitOf(manager);
    expect(code).toBe(1);
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^arbiter: cannot listen on 127\\.0\\.0\\.1:${busyPort}: EADDRINUSE`))]);
    expect(await isBound(backupPort)).toBe(false);
  }, 30_000);

  it('stops the manager when HOST is not an address', async () => {
    const manager = startNode('dist/src/main.js', {
      ENV_FILE: '/nonexistent/.env', ARBITER_BACKEND: 'local', PORT: String(await freePort()), HOST: '999.1.1.1', LOG_LEVEL: 'info',
    });
    const { code, lines } = await exitOf(manager);
    expect(code).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^arbiter: cannot listen on 999\.1\.1\.1:\d+: E[A-Z]+/);
  }, 30_000);

  it.each([
    { program: 'sidecar', script: 'dist/src/sidecar/main.js', env: () => ({ SIDECAR_PORT: String(busyPort), SIDECAR_HOST: '127.0.0.1', CERVEAU_URL: 'http://127.0.0.1:9', MAX_SESSIONS: '2' }), args: [] },
    { program: 'sim', script: 'dist/sim/main.js', env: () => ({ SIM_PORT: String(busyPort), SIM_HOST: '127.0.0.1' }), args: [] },
  ])('stops the $program', async ({ program, script, env }) => {
    const { code, lines } = await exitOf(startNode(script, env()));
    expect(code).toBe(1);
    expect(lines.filter((l) => l.includes('cannot listen'))).toEqual([expect.stringMatching(new RegExp(`^${program}: cannot listen on 127\\.0\\.0\\.1:${busyPort}: EADDRINUSE`))]);
  }, 30_000);

  it('stops the demo gameserver', async () => {
    const proc = startNode('dist/src/gameserver/main.js', {}, ['--host', '127.0.0.1', '--game-port', String(busyPort), '--web-port', '0', '--name', 'g']);
    const { code, lines } = await exitOf(proc);
    expect(code).toBe(1);
    expect(lines.join('\n')).toContain(`cannot listen on 127.0.0.1:${busyPort}: EADDRINUSE`);
  }, 30_000);
});
