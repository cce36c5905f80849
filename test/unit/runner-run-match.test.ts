import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { runMatch } from '../../src/runner/run-match.js';
import { startFakeCerveau, type FakeCerveau } from '../support/fake-cerveau.js';
import { waitFor } from '../support/wait.js';

let cerveau: FakeCerveau;
let manager: Server;
let managerUrl: string;
let out: string;
let answer: { status: number; body: unknown };

beforeEach(async () => {
  cerveau = await startFakeCerveau();
  answer = { status: 200, body: { available: `127.0.0.1:4000`, server_id: 'fake', name: 'fake', host: '127.0.0.1', ports: { game: 4000, web: cerveau.port }, backup: false } };
  manager = createServer((req, res) => {
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
  });
  await new Promise<void>((r) => manager.listen(0, '127.0.0.1', r));
  const address = manager.address();
  managerUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  out = mkdtempSync(join(tmpdir(), 'arbiter-run-match-'));
});
afterEach(async () => {
  await new Promise<void>((r) => manager.close(() => r()));
  await cerveau.close();
  rmSync(out, { recursive: true, force: true });
});

const fast = { settleMs: 200, killGraceMs: 500, statusAttempts: 4, statusBackoffMs: { initial: 100, max: 400 } };

describe('runMatch against a fake Cerveau', () => {
  it('waits for the gamelog to be written, then saves it gzip', async () => {
    const running = runMatch({ managerUrl, game: 'Chess', clients: ['sleep 0.2', 'sleep 5'], timeoutMs: 10_000, outDir: out, ...fast, statusAttempts: 6 });
    const session = await waitFor(() => [...cerveau.sessions.values()][0], { what: 'the setup' });
    expect(session.gameSettings).toEqual({ playerNames: ['client-0', 'client-1'] });
    expect(session.password).toMatch(/^[0-9a-f]{24}$/);
    cerveau.join('Chess', session.gameSession, ['client-0', 'client-1']);
    cerveau.finish('Chess', session.gameSession, { winnerIndex: 1, gamelogDelayMs: 900 });
    const result = await running;
    expect(result).toMatchObject({ status: 'completed', outcome: 'win', winner: 'client-1', losers: ['client-0'] });
    expect(result.clients[1]).toMatchObject({ killed: true, signal: 'SIGTERM' });
    expect(JSON.parse(gunzipSync(readFileSync(join(out, 'gamelog.json.gz'))).toString())).toMatchObject({ gameSession: session.gameSession });
    expect(JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'))).toEqual(result);
    expect(cerveau.requests.filter((r) => r.url.startsWith('/status/')).length).toBeGreaterThan(1);
  });

  it('names the right winner when Cerveau numbers /status clients by connection order and they gave no names', async () => {
    const running = runMatch({ managerUrl, game: 'Chess', clients: ['sleep 0.2 # seat {index}', 'sleep 5 # seat {index}'], timeoutMs: 10_000, outDir: out, ...fast, statusAttempts: 6 });
    const session = await waitFor(() => [...cerveau.sessions.values()][0], { what: 'the setup' });
    // client-1 connects first, so /status calls it index 0; each sits in the seat it asked for.
    cerveau.join('Chess', session.gameSession, ['Chess Python Player', 'Chess Python Player'], [1, 0]);
    cerveau.finish('Chess', session.gameSession, { winnerIndex: 0, resultsDelayMs: 150 });
    const result = await running;
    expect(result).toMatchObject({ status: 'completed', winner: 'client-0', losers: ['client-1'] });
  });

  it("reports a Cerveau draw as outcome draw: no winner and no losers, each client's draw reason kept", async () => {
    const running = runMatch({ managerUrl, game: 'Chess', clients: ['sleep 0.2 # {index} {name}', 'sleep 5 # {index} {name}'], timeoutMs: 10_000, outDir: out, ...fast });
    const session = await waitFor(() => [...cerveau.sessions.values()][0], { what: 'the setup' });
    cerveau.join('Chess', session.gameSession, ['client-0', 'client-1']);
    const reason = 'Stalemate - The side to move has been stalemated because they are not in check, but have no valid moves.';
    cerveau.finish('Chess', session.gameSession, { drawReason: reason });
    const result = await running;
    expect(result).toMatchObject({ status: 'completed', outcome: 'draw', winner: null, losers: [] });
    expect(result.clients.map((c) => c.reason)).toEqual([reason, reason]);
    expect(JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'))).toMatchObject({ outcome: 'draw' });
  });

  it('names no winner when clients give neither {name} nor {index}: Cerveau may have swapped them', async () => {
    const running = runMatch({ managerUrl, game: 'Chess', clients: ['sleep 0.2', 'sleep 5'], timeoutMs: 10_000, outDir: out, ...fast, statusAttempts: 6 });
    const session = await waitFor(() => [...cerveau.sessions.values()][0], { what: 'the setup' });
    cerveau.join('Chess', session.gameSession, ['Chess Python Player', 'Chess Python Player']);
    cerveau.finish('Chess', session.gameSession, { winnerIndex: 0 });
    const result = await running;
    expect(result).toMatchObject({ status: 'completed', winner: null, losers: [] });
  });

  it('gives up on a game that never ends, within its bounded tries', async () => {
    const started = Date.now();
    const running = runMatch({ managerUrl, game: 'Chess', clients: ['sleep 0.3', 'sleep 0.3'], timeoutMs: 10_000, outDir: out, ...fast });
    const session = await waitFor(() => [...cerveau.sessions.values()][0], { what: 'the setup' });
    cerveau.join('Chess', session.gameSession, ['client-0', 'client-1']);
    const result = await running;
    expect(result).toMatchObject({ status: 'failed', failure: 'no_gamelog' });
    expect(result.reason).toMatch(/4 tries/);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it.each([
    { name: 'nobody joins', joined: [] as string[], clients: ['exit 0', 'exit 0'], want: /0 of 2 players joined/ },
    { name: 'one of two joins', joined: ['client-0'], clients: ['sleep 0.2', 'sleep 0.2'], want: /1 of 2 players joined/ },
    { name: 'both hang unconnected until the timeout', joined: [], clients: ['sleep 5', 'sleep 5'], want: /0 of 2 players joined/ },
  ])('fails at once as clients_never_connected when $name, not completed', async ({ joined, clients, want }) => {
    const started = Date.now();
    const running = runMatch({ managerUrl, game: 'Chess', clients, timeoutMs: 800, outDir: out, ...fast });
    const session = await waitFor(() => [...cerveau.sessions.values()][0], { what: 'the setup' });
    if (joined.length > 0) cerveau.join('Chess', session.gameSession, joined);
    const result = await running;
    expect(result).toMatchObject({ status: 'failed', failure: 'clients_never_connected', outcome: 'none', winner: null, losers: [] });
    expect(result.reason).toMatch(want);
    expect(Date.now() - started).toBeLessThan(3_000); // no status retries for a game that cannot start
  });

  it('names a client that crashed before the game started, rather than nobody joining', async () => {
    const result = await runMatch({ managerUrl, game: 'Chess', clients: ['exit 3', 'sleep 5'], timeoutMs: 5_000, outDir: out, ...fast });
    expect(result).toMatchObject({ status: 'failed', failure: 'client_crashed' });
    expect(result.reason).toMatch(/client-0 .*exited with code 3 before the game started/);
  });

  it.each([
    { name: '503 → no_server', status: 503, body: { error: 'no room' }, want: 'no_server' },
    { name: '500 → manager_unreachable', status: 500, body: {}, want: 'manager_unreachable' },
    { name: 'garbage → manager_unreachable', status: 200, body: { nope: 1 }, want: 'manager_unreachable' },
  ])('manager answers $name', async ({ status, body, want }) => {
    answer = { status, body };
    const result = await runMatch({ managerUrl, game: 'Chess', clients: ['true', 'true'], timeoutMs: 1_000, outDir: out });
    expect(result).toMatchObject({ status: 'failed', failure: want, server: null, clients: [] });
  });

  it('reports setup refused for an unknown game', async () => {
    const result = await runMatch({ managerUrl, game: 'Nope', clients: ['true', 'true'], timeoutMs: 1_000, outDir: out });
    expect(result).toMatchObject({ failure: 'setup_refused' });
    expect(result.reason).toMatch(/400/);
  });
});
