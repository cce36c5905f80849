// Two submissions from zips (the demo bot, zipped as teams upload it), prepared and started with pyrena's arguments
// under limits, play a real demo gameserver process through the runner library.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { demoBotDir, prepareSubmission, submissionClientCommand, zipDirectory, type BotLimits } from '../../src/arena/bots/index.js';
import { runMatch } from '../../src/runner/index.js';

const GAMESERVER = resolve('dist/src/gameserver/main.js');
const LIMITS: BotLimits = { cpuSeconds: 120, memoryBytes: 1024 ** 3 };

let gameserver: ChildProcess | undefined;
let manager: Server | undefined;
let managerUrl = '';
let root = '';

async function startGameserver(): Promise<{ game: number; web: number }> {
  const proc = spawn(process.execPath, [GAMESERVER, '--host', '127.0.0.1', '--game-port', '0', '--web-port', '0', '--capacity', '4', '--session-seconds', '1.5', '--join-timeout-seconds', '30', '--name', 'arena-e2e'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { PATH: process.env.PATH, LOG_LEVEL: 'error' },
  });
  gameserver = proc;
  const lines = createInterface({ input: proc.stdout! });
  return new Promise((resolvePorts, reject) => {
    const timer = setTimeout(() => reject(new Error('the demo gameserver did not say it was listening')), 15_000);
    lines.on('line', (line) => {
      try {
        const event = JSON.parse(line) as { event?: string; ports?: { game: number; web: number } };
        if (event.event === 'listening' && event.ports) {
          clearTimeout(timer);
          resolvePorts(event.ports);
        }
      } catch {
        // log lines
      }
    });
    proc.once('exit', (code) => reject(new Error(`the demo gameserver exited with ${code}`)));
  });
}

describe.runIf(existsSync(GAMESERVER))('submissions from zips play the demo gameserver', () => {
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'arena-submission-e2e-'));
    const ports = await startGameserver();
    manager = createServer((req, res) => {
      if (!req.url?.startsWith('/available-server')) return res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ available: `127.0.0.1:${ports.game}`, server_id: 'gs-arena', name: 'gs-arena', host: '127.0.0.1', ports, backup: false }));
    });
    await new Promise<void>((r) => manager!.listen(0, '127.0.0.1', r));
    const address = manager.address();
    managerUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }, 30_000);

  afterAll(async () => {
    if (gameserver && gameserver.exitCode === null) {
      const exited = new Promise((r) => gameserver!.once('exit', r));
      gameserver.kill('SIGTERM');
      await exited;
    }
    if (manager) await new Promise<void>((r) => manager!.close(() => r()));
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('two prepared demo submissions play a match to a winner, with their output captured', async () => {
    const zip = await zipDirectory(demoBotDir(), { topFolder: 'Joueur.js' });
    const cacheDir = join(root, 'cache');
    const common = { zip, cacheDir, maxCacheBytes: 50 * 1024 * 1024, buildTimeoutMs: 60_000, maxLogBytes: 64 * 1024 };
    const [a, b] = await Promise.all([prepareSubmission({ ...common, submissionId: 11, version: 1 }), prepareSubmission({ ...common, submissionId: 12, version: 3 })]);
    if (!a.ok || !b.ok) throw new Error(`build failed: ${JSON.stringify([a, b])}`);
    const result = await runMatch({
      managerUrl,
      game: 'Chess',
      clients: [
        { command: submissionClientCommand(a, LIMITS), name: 'Team Alpha' },
        { command: submissionClientCommand(b, LIMITS), name: 'Team Beta' },
      ],
      timeoutMs: 60_000,
      outDir: join(root, 'match'),
      session: `arena_1_11v12-a1`,
      settleMs: 2_000,
      killGraceMs: 1_000,
    });
    expect(result.status, result.reason).toBe('completed');
    expect(['Team Alpha', 'Team Beta']).toContain(result.winner);
    expect(result.clients.map((c) => c.exitCode)).toEqual([0, 0]);
    const logs = result.clients.map((c) => readFileSync(c.logFile, 'utf8'));
    expect(logs[0]).toMatch(/demo bot Team Alpha joining Chess session arena_1_11v12-a1 at 127\.0\.0\.1:\d+ as seat 0/);
    expect(logs[1]).toMatch(/demo bot Team Beta joining Chess session arena_1_11v12-a1 at 127\.0\.0\.1:\d+ as seat 1/);
    expect(logs.join('\n')).toContain('game over');
  }, 120_000);
});
