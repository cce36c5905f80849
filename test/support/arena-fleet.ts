// A one-gameserver "fleet" for arena tests that need to control the gameserver (kill it, lengthen its games), and a
// /proc scan for processes left behind in a directory (the bots and builds a worker started there).
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

export interface TestGameserver {
  proc: ChildProcess;
  game: number;
  web: number;
}

const children = new Set<ChildProcess>();
const servers = new Set<Server>();

/** The demo gameserver on free ports; games last `sessionSeconds`. Stopped by `stopFleet`. */
export async function startGameserver(sessionSeconds: number, name = 'gs-test'): Promise<TestGameserver> {
  const args = ['--host', '127.0.0.1', '--game-port', '0', '--web-port', '0', '--capacity', '16', '--session-seconds', String(sessionSeconds), '--join-timeout-seconds', '30', '--name', name];
  const proc = spawn(process.execPath, [resolve('dist/src/gameserver/main.js'), ...args], {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LOG_LEVEL: 'error' },
  });
  children.add(proc);
  const ports = await new Promise<{ game: number; web: number }>((res, rej) => {
    const timer = setTimeout(() => rej(new Error('gameserver did not listen')), 15_000);
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      try {
        const e = JSON.parse(line) as { event?: string; ports?: { game: number; web: number } };
        if (e.event === 'listening' && e.ports) {
          clearTimeout(timer);
          res(e.ports);
        }
      } catch {
        // not JSON
      }
    });
  });
  return { proc, ...ports };
}

/** A manager that always hands out the one gameserver (the legacy JSON shape). */
export async function stubManager(gs: { game: number; web: number }): Promise<string> {
  const server = createServer((req, res) => {
    if (!req.url?.startsWith('/available-server')) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ available: `127.0.0.1:${gs.game}`, server_id: 'gs-test', name: 'gs-test', host: '127.0.0.1', ports: gs, backup: false }));
  });
  servers.add(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  return `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
}

/** For afterAll: kills the gameservers and closes the stub managers. */
export function stopFleet(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const s of servers) s.close();
  children.clear();
  servers.clear();
}

/**
 * Running processes whose working directory is inside `dir` (Linux /proc): a bot runs, and its build runs, in its
 * folder of the worker's cache, so whatever a worker leaves behind shows up here. Zombies do not count.
 */
export function processesIn(dir: string): Array<{ pid: number; cmdline: string }> {
  const root = resolve(dir);
  const out: Array<{ pid: number; cmdline: string }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
      if (state === 'Z' || state === 'X') continue;
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      if (cwd !== root && !cwd.startsWith(`${root}/`)) continue;
      out.push({ pid: Number(entry), cmdline: readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim() });
    } catch {
      // gone while we looked, or not ours to read
    }
  }
  return out;
}
