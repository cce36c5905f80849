// How an arena worker stops: SIGTERM (finish within the grace period, give the rest back uncounted, exit 0) and
// SIGKILL in the middle of a build or of a match (the reaper stops every process the worker started).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopAll } from '../support/processes.js';
import { usePostgres } from '../support/postgres.js';
import { demoZip, queueGames, seedOphelia, slowBuildZip, startWorker } from '../support/arena.js';
import { processesIn, startGameserver, stopFleet, stubManager } from '../support/arena-fleet.js';
import { waitFor } from '../support/wait.js';

const db = usePostgres();
let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'arena-stops-'));
});

afterAll(async () => {
  await stopAll();
  stopFleet();
  // a failed test may leave what it was checking for behind
  for (const p of processesIn(root)) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  rmSync(root, { recursive: true, force: true });
}, 60_000);

function env(url: string, manager: string, dir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: url,
    ARBITER_URL: manager,
    ARENA_PARALLEL: '3',
    LEASE_SECONDS: '5',
    MAX_ATTEMPTS: '3',
    MATCH_TIMEOUT: '120',
    LOG_STORE: `file://${join(dir, 'logs')}`,
    ARENA_CACHE_DIR: join(dir, 'cache'),
    ...extra,
  };
}

const started = (w: ReturnType<typeof startWorker>): number => w.events().filter((e) => e.message === 'clients started').length;

describe('stopping an arena worker', () => {
  it('SIGTERM: the match that ends within the grace period is written, the others go back uncounted; exit 0, no bot left', async () => {
    const dir = mkdtempSync(join(root, 'term-'));
    const gs = await startGameserver(5);
    const manager = await stubManager(gs);
    const url = await db.freshDatabase();
    const pool = db.pool(url);
    const zip = await demoZip();
    // `-hang` bots never exit, so their matches run until MATCH_TIMEOUT: SIGTERM finds them still playing
    const subs = await seedOphelia(pool, ['Ada', 'Grace', 'Slow-hang', 'Stuck-hang'].map((name) => ({ name, zip })));
    const [quick] = await queueGames(pool, subs.get('Ada')!, subs.get('Grace')!, 1);
    const stuck = await queueGames(pool, subs.get('Slow-hang')!, subs.get('Stuck-hang')!, 2);
    const worker = startWorker(env(url, manager, dir, { ARENA_GRACE_SECONDS: '12' }));
    await waitFor(() => started(worker) === 3, { timeoutMs: 60_000, intervalMs: 100, what: 'three matches being played' });
    expect(processesIn(dir).length).toBeGreaterThanOrEqual(6); // two bots per match, each a process of its own at least
    const exit = await worker.stop(40_000);
    expect(exit).toEqual({ code: 0, signal: null });
    // no bot outlives the worker: nothing still runs in its cache
    expect(processesIn(dir)).toEqual([]);

    const games = new Map((await pool.query<{ id: number; status: string; winner_id: number | null; log_url: string | null }>('SELECT id, status, winner_id, log_url FROM games')).rows.map((g) => [g.id, g]));
    expect(games.get(quick!)).toMatchObject({ status: 'finished' });
    expect(games.get(quick!)?.winner_id).toBeTruthy();
    expect(games.get(quick!)?.log_url).toBeTruthy();
    for (const id of stuck) expect(games.get(id)).toMatchObject({ status: 'queued', winner_id: null, log_url: null });
    // given back: no lease held, the attempt not counted (the next claim is attempt 1 again), no attempt recorded
    const leases = (await pool.query<{ game_id: number; owner: string | null; attempt: number; expires_at: Date | null }>('SELECT game_id, owner, attempt, expires_at FROM arbiter.ophelia_leases WHERE game_id = ANY($1)', [stuck])).rows;
    expect(leases).toHaveLength(2);
    for (const l of leases) expect(l).toMatchObject({ owner: null, attempt: 0, expires_at: null });
    const attempts = (await pool.query<{ game_id: number; outcome: string }>('SELECT game_id, outcome FROM arbiter.ophelia_attempts')).rows;
    expect(attempts).toEqual([{ game_id: quick, outcome: 'finished' }]);
    expect(worker.events().filter((e) => e.outcome === 'given_back')).toHaveLength(2);
  }, 120_000);

  it('SIGKILL in the middle of a build: make and what it started are stopped by the reaper', async () => {
    const dir = mkdtempSync(join(root, 'kill-build-'));
    const gs = await startGameserver(5);
    const manager = await stubManager(gs);
    const url = await db.freshDatabase();
    const pool = db.pool(url);
    const subs = await seedOphelia(pool, [
      { name: 'Slowpoke', zip: await slowBuildZip(300) },
      { name: 'Grace', zip: await demoZip() },
    ]);
    await queueGames(pool, subs.get('Slowpoke')!, subs.get('Grace')!, 1);
    const worker = startWorker(env(url, manager, dir));
    await waitFor(() => processesIn(dir).some((p) => p.cmdline.includes('sleep 300')), { timeoutMs: 60_000, intervalMs: 100, what: 'the slow build to run' });
    worker.child.kill('SIGKILL');
    await worker.exited;
    await waitFor(() => processesIn(dir).length === 0, { timeoutMs: 10_000, intervalMs: 100, what: 'the build to be stopped' }).catch((err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify(processesIn(dir))}`);
    });
  }, 90_000);

  it('SIGKILL in the middle of a match: both bots are stopped by the reaper', async () => {
    const dir = mkdtempSync(join(root, 'kill-match-'));
    const gs = await startGameserver(60);
    const manager = await stubManager(gs);
    const url = await db.freshDatabase();
    const pool = db.pool(url);
    const zip = await demoZip();
    const subs = await seedOphelia(pool, [
      { name: 'Ada', zip },
      { name: 'Grace', zip },
    ]);
    await queueGames(pool, subs.get('Ada')!, subs.get('Grace')!, 1);
    const worker = startWorker(env(url, manager, dir));
    await waitFor(() => processesIn(dir).filter((p) => p.cmdline.includes('main.mjs')).length === 2, { timeoutMs: 60_000, intervalMs: 100, what: 'both bots running' });
    worker.child.kill('SIGKILL');
    await worker.exited;
    await waitFor(() => processesIn(dir).length === 0, { timeoutMs: 10_000, intervalMs: 100, what: 'the bots to be stopped' }).catch((err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify(processesIn(dir))}`);
    });
  }, 90_000);
});
