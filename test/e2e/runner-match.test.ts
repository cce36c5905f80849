// arbiter-run-match against a real demo gameserver process and a minimal manager that always hands it out.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { gunzipSync } from 'node:zlib';
import type { MatchResult } from '../../src/runner/types.js';
import { FAILURE_EXIT_CODES, EXIT_BATCH_FAILURES } from '../../src/runner/exit-codes.js';
import { childProcesses, liveGroupMembers } from '../support/processes.js';
import { waitFor } from '../support/wait.js';

const CLI = resolve('dist/src/runner/cli.js');
const GAMESERVER = resolve('dist/src/gameserver/main.js');
const PLAYER = resolve('test/fixtures/players/player.mjs');
const ready = existsSync(CLI) && existsSync(GAMESERVER) && existsSync(PLAYER);

interface Gameserver {
  proc: ChildProcess;
  ports: { game: number; web: number; health: number };
}

const children = new Set<ChildProcess>();
const servers: Server[] = [];
let outRoot: string;

// Room for 8: sessions of the hang and crash tests may wait out their join timeout while the batch runs.
// A long join timeout: on a loaded machine a player process can take seconds to start, and a session
// that times out before both join would end the match early for reasons that are not the runner's.
async function startGameserver(capacity: number, sessionSeconds: number, name: string): Promise<Gameserver> {
  const proc = spawn(process.execPath, [GAMESERVER, '--host', '127.0.0.1', '--game-port', '0', '--web-port', '0', '--capacity', String(capacity), '--session-seconds', String(sessionSeconds), '--join-timeout-seconds', '30', '--name', name], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, LOG_LEVEL: 'error' },
  });
  children.add(proc);
  const lines = createInterface({ input: proc.stdout! });
  const ports = await new Promise<Gameserver['ports']>((resolvePorts, reject) => {
    const timer = setTimeout(() => reject(new Error('the demo gameserver did not say it was listening')), 10_000);
    lines.on('line', (line) => {
      try {
        const event = JSON.parse(line) as { event?: string; ports?: Gameserver['ports'] };
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
  return { proc, ports };
}

/** A manager that answers every allocation with one server, the §3.2 shape. */
async function startManager(gs: Gameserver): Promise<string> {
  const server = createServer((req, res) => {
    if (!req.url?.startsWith('/available-server')) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ available: `127.0.0.1:${gs.ports.game}`, server_id: 'gs-e2e', name: 'gs-e2e', host: '127.0.0.1', ports: { game: gs.ports.game, web: gs.ports.web }, backup: false }));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

function player(mode: 'normal' | 'hang' | 'crash'): string {
  return `${process.execPath} ${PLAYER} --host {host} --port {port} --game {game} --session {session} --password {password} --name {name} --index {index} --mode ${mode}`;
}

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(proc);
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((r) => proc.once('exit', (code) => r({ code, stdout, stderr })));
}

const readResult = (dir: string) => JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as MatchResult;
const fast = ['--settle', '0.5', '--kill-grace', '1', '--status-attempts', '3'];

let roomy: Gameserver;
let full: Gameserver;
let roomyManager: string;
let fullManager: string;

describe.runIf(ready)('arbiter-run-match against a demo gameserver', () => {
  beforeAll(async () => {
    outRoot = mkdtempSync(join(tmpdir(), 'arbiter-runner-e2e-'));
    [roomy, full] = await Promise.all([startGameserver(8, 1.5, 'roomy'), startGameserver(1, 1.5, 'full')]);
    roomyManager = await startManager(roomy);
    fullManager = await startManager(full);
  });

  afterEach(() => {
    // a failing test must not leave a runner behind; gameservers live for the whole file
    for (const child of children) if (child !== roomy?.proc && child !== full?.proc && child.exitCode === null) child.kill('SIGKILL');
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    if (outRoot) rmSync(outRoot, { recursive: true, force: true });
  });

  it('plays a normal match: exit 0, result.json and a gzip gamelog', async () => {
    const out = join(outRoot, 'normal');
    const run = await runCli(['--manager', roomyManager, '--game', 'Chess', '--client', player('normal'), '--client', player('normal'), '--name', 'alice', '--name', 'bob', '--timeout', '20', '--out', out, ...fast]);
    expect(run.code, run.stderr).toBe(0);
    const result = readResult(out);
    expect(result).toMatchObject({ status: 'completed', failure: null, game: 'Chess', server: { id: 'gs-e2e', host: '127.0.0.1', ports: { game: roomy.ports.game, web: roomy.ports.web } } });
    expect(result.session).toMatch(/^arena_\d+_[0-9a-f]+$/);
    expect(['alice', 'bob']).toContain(result.winner);
    expect(result.losers).toHaveLength(1);
    expect(result.clients.map((c) => c.exitCode)).toEqual([0, 0]);
    const gz = readFileSync(result.files.gamelog!);
    expect(gz.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(JSON.parse(gunzipSync(gz).toString('utf8'))).toMatchObject({ gameName: 'Chess', gameSession: result.session });
    expect(readFileSync(result.clients[0]!.logFile, 'utf8')).toContain('over');
  });

  it('stops clients that hang past the timeout', async () => {
    // long enough for both to join under load: clients that never joined end as clients_never_connected instead
    const out = join(outRoot, 'hang');
    const started = Date.now();
    const run = await runCli(['--manager', roomyManager, '--game', 'Chess', '--client', player('hang'), '--client', player('hang'), '--timeout', '3', '--out', out, ...fast, '--setting', 'unused=1']);
    expect(run.code).toBe(FAILURE_EXIT_CODES.timeout);
    const result = readResult(out);
    expect(result).toMatchObject({ status: 'failed', failure: 'timeout' });
    expect(result.clients.every((c) => c.killed)).toBe(true);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('reports a client that crashes', async () => {
    const out = join(outRoot, 'crash');
    const run = await runCli(['--manager', roomyManager, '--game', 'Chess', '--client', player('crash'), '--client', player('normal'), '--timeout', '20', '--out', out, ...fast]);
    expect(run.code).toBe(FAILURE_EXIT_CODES.client_crashed);
    const result = readResult(out);
    expect(result).toMatchObject({ status: 'failed', failure: 'client_crashed' });
    expect(result.reason).toMatch(/client-0 .*code 3/);
    expect(result.clients[0]).toMatchObject({ exitCode: 3, killed: false });
  });

  it('reports a setup the full server refuses', async () => {
    const taken = await fetch(`http://127.0.0.1:${full.ports.web}/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ gameName: 'Chess', session: 'occupier', gameSettings: {} }) });
    expect(taken.status).toBe(200);
    const out = join(outRoot, 'full');
    const run = await runCli(['--manager', fullManager, '--game', 'Chess', '--client', player('normal'), '--client', player('normal'), '--timeout', '20', '--out', out, ...fast]);
    expect(run.code).toBe(FAILURE_EXIT_CODES.setup_refused);
    const result = readResult(out);
    expect(result).toMatchObject({ status: 'failed', failure: 'setup_refused', clients: [] });
    expect(result.reason).toMatch(/503/);
  });

  it('leaves no client behind when the runner itself is SIGKILLed', async () => {
    const out = join(outRoot, 'killed');
    const args = [CLI, '--manager', roomyManager, '--game', 'Chess', '--client', player('hang'), '--client', player('hang'), '--timeout', '60', '--out', out, ...fast, '--log-level', 'info'];
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(proc);
    let output = '';
    proc.stdout.on('data', (c: Buffer) => (output += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (output += c.toString()));
    // 'clients started' is logged after every client was started and handed to the reaper
    await waitFor(() => output.includes('clients started'), { timeoutMs: 15_000, what: 'the clients started' });
    const clientGroups = childProcesses(proc.pid!).filter((c) => !c.cmdline.includes('reaper-main.js')).map((c) => c.pid);
    expect(clientGroups).toHaveLength(2);
    try {
      proc.kill('SIGKILL');
      await waitFor(() => clientGroups.every((pgid) => liveGroupMembers(pgid).length === 0), { timeoutMs: 10_000, what: 'every client gone' });
    } finally {
      for (const pgid of clientGroups) {
        try {
          process.kill(-pgid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
  });

  it('fails cleanly when the manager is unreachable', async () => {
    const out = join(outRoot, 'nomanager');
    const run = await runCli(['--manager', 'http://127.0.0.1:9', '--game', 'Chess', '--client', 'true', '--client', 'true', '--out', out]);
    expect(run.code).toBe(FAILURE_EXIT_CODES.manager_unreachable);
    expect(readResult(out)).toMatchObject({ status: 'failed', failure: 'manager_unreachable', server: null });
  });

  it('runs a batch, N at a time, with one directory per match and a summary', async () => {
    const file = join(outRoot, 'matches.jsonl');
    writeFileSync(
      file,
      [
        { name: 'm1', game: 'Chess', clients: [player('normal'), player('normal')] },
        { name: 'm2', game: 'Chess', clients: [player('normal'), player('normal')], settings: { randomSeed: 7 } },
        { name: 'm3', game: 'Chess', clients: [player('crash'), player('normal')], timeout: 20 },
      ]
        .map((line) => JSON.stringify(line))
        .join('\n'),
    );
    const out = join(outRoot, 'batch');
    const run = await runCli(['--manager', roomyManager, '--batch', file, '--parallel', '2', '--timeout', '20', '--out', out, ...fast]);
    expect(run.code, run.stderr).toBe(EXIT_BATCH_FAILURES);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { total: number; completed: number; failed: number; matches: Array<{ name: string; failure: string | null }> };
    expect(summary, readFileSync(join(out, "summary.json"), "utf8")).toMatchObject({ total: 3, completed: 2, failed: 1 });
    expect(summary.matches.map((m) => [m.name, m.failure])).toEqual([['m1', null], ['m2', null], ['m3', 'client_crashed']]);
    expect(readResult(join(out, 'm1')).status).toBe('completed');
    expect(existsSync(join(out, 'm2', 'gamelog.json.gz'))).toBe(true);
  });
});
