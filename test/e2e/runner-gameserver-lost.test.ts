// A gameserver that dies mid-match is named as such, quickly: arbiter-run-match (a real process, with real client
// processes that would hang for a minute) ends with gameserver_lost and its own exit code within seconds.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { MatchResult } from '../../src/runner/types.js';
import { FAILURE_EXIT_CODES } from '../../src/runner/exit-codes.js';
import { startFakeCerveau, type FakeCerveau } from '../support/fake-cerveau.js';
import { waitFor } from '../support/wait.js';

const CLI = resolve('dist/src/runner/cli.js');
let cli: ChildProcess | null = null;
let cerveau: FakeCerveau | null = null;
let manager: Server | null = null;
let out = '';

afterEach(async () => {
  if (cli && cli.exitCode === null && cli.signalCode === null) cli.kill('SIGKILL');
  cli = null;
  await cerveau?.close();
  if (manager) await new Promise<void>((r) => manager!.close(() => r()));
  if (out) rmSync(out, { recursive: true, force: true });
});

describe.skipIf(!existsSync(CLI))('runner: gameserver lost mid-match', () => {
  it('stops the clients and exits with gameserver_lost within seconds, not at --timeout', async () => {
    const fake = await startFakeCerveau();
    cerveau = fake;
    manager = createServer((_req, res) => {
      const body = { available: '127.0.0.1:4000', server_id: 'fake', name: 'fake', host: '127.0.0.1', ports: { game: 4000, web: fake.port }, backup: false };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((r) => manager!.listen(0, '127.0.0.1', r));
    const managerPort = (manager.address() as { port: number }).port;
    out = mkdtempSync(join(tmpdir(), 'arbiter-lost-'));
    const client = 'sleep 120 # {index} {name}';
    const proc = spawn(
      process.execPath,
      [CLI, '--manager', `http://127.0.0.1:${managerPort}`, '--game', 'Chess', '--client', client, '--client', client, '--out', out, '--timeout', '120', '--kill-grace', '1'],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    cli = proc;
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    const session = await waitFor(() => [...fake.sessions.values()][0], { what: 'the setup', timeoutMs: 15_000 });
    fake.join('Chess', session.gameSession, ['client-0', 'client-1']);
    await waitFor(() => existsSync(join(out, 'client-0-client-0.log')), { what: 'the clients', timeoutMs: 15_000 });
    const killedAt = Date.now();
    await fake.close(); // the gameserver dies
    const code = await exited;
    const tookMs = Date.now() - killedAt;
    expect(code).toBe(FAILURE_EXIT_CODES.gameserver_lost);
    expect(tookMs).toBeLessThan(30_000); // the clients would have played for 120 s
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as MatchResult;
    expect(result).toMatchObject({ status: 'failed', failure: 'gameserver_lost', winner: null });
    expect(result.reason).toMatch(/stopped answering/);
    expect(result.clients.every((c) => c.killed)).toBe(true);
  }, 60_000);
});
