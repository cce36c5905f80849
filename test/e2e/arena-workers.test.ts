// arbiter-arena worker processes on ophelia's schema, a real PostgreSQL server and a real local-mode manager:
// 20 games × 3 workers with one SIGKILLed mid-match, and PostgreSQL restarted under running workers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalManager, type LocalManager } from '../support/local-manager.js';
import { stopAll, type RunningProcess } from '../support/processes.js';
import { usePostgres } from '../support/postgres.js';
import { demoZip, queueGames, seedOphelia, startWorker, statusCounts } from '../support/arena.js';
import { waitFor } from '../support/wait.js';

const db = usePostgres();
let manager: LocalManager;
let root: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'arena-e2e-'));
  // games of ~2 s, room for every worker's matches at once
  manager = await startLocalManager({ GAMESERVER_CAPACITY: '8', UPSCALE_MARGIN: '2', DOWNSCALE_MARGIN: '12', MIN_SERVERS: '2', DEMO_SESSION_SECONDS: '2' });
  await waitFor(async () => {
    const res = await fetch(`${manager.base}/api/servers`);
    const body = (await res.json()) as { servers: Array<{ state: string }> };
    return body.servers.filter((s) => s.state === 'active').length >= 2;
  }, { timeoutMs: 60_000, what: 'two active gameservers' });
}, 90_000);

afterAll(async () => {
  await stopAll();
  rmSync(root, { recursive: true, force: true });
}, 60_000);

function workerEnv(url: string, id: string): Record<string, string> {
  return {
    DATABASE_URL: url,
    ARBITER_URL: manager.base,
    ARENA_WORKER_ID: id,
    ARENA_PARALLEL: '2',
    LEASE_SECONDS: '3',
    MAX_ATTEMPTS: '4',
    MATCH_TIMEOUT: '60',
    ARENA_GRACE_SECONDS: '20',
    LOG_STORE: `file://${join(root, 'logs')}`,
    ARENA_CACHE_DIR: join(root, `cache-${id}`),
  };
}

describe('arena workers on an ophelia database', () => {
  it('20 games, 3 workers, one SIGKILLed mid-match: every game finished exactly once, the killed one\'s games replayed', async () => {
    const url = await db.freshDatabase();
    const pool = db.pool(url);
    const subs = await seedOphelia(pool, [
      { name: 'Ada', zip: await demoZip() },
      { name: 'Grace', zip: await demoZip() },
    ]);
    const games = await queueGames(pool, subs.get('Ada')!, subs.get('Grace')!, 20);
    const workers: RunningProcess[] = ['w1', 'w2', 'w3'].map((id) => startWorker(workerEnv(url, id)));
    // kill w1 once it holds a lease on a game that is being played
    const victim = await waitFor(
      async () => (await pool.query<{ game_id: number }>(`SELECT game_id FROM arbiter.ophelia_leases WHERE owner = 'w1' AND expires_at IS NOT NULL`)).rows.map((r) => r.game_id),
      { timeoutMs: 60_000, intervalMs: 100, what: 'w1 to claim a game' },
    ).then((ids) => (ids.length > 0 ? ids : null));
    workers[0]!.child.kill('SIGKILL');
    await waitFor(async () => (await statusCounts(pool)).finished === 20, { timeoutMs: 150_000, intervalMs: 500, what: 'all 20 games finished' });

    const rows = (await pool.query('SELECT id, status, winner_id, win_reason, lose_reason, log_url FROM games ORDER BY id')).rows;
    expect(rows.map((r) => r.id)).toEqual(games);
    for (const g of rows) {
      expect(g.status).toBe('finished');
      expect([subs.get('Ada'), subs.get('Grace')]).toContain(g.winner_id);
      expect(g.win_reason).toBeTruthy();
      expect(g.lose_reason).toBeTruthy();
      expect(existsSync(fileURLToPath(g.log_url as string))).toBe(true);
    }
    const outputs = (await pool.query('SELECT output_url FROM games_submissions')).rows.map((r) => r.output_url as string | null);
    expect(outputs).toHaveLength(40);
    for (const o of outputs) expect(o && existsSync(fileURLToPath(o))).toBe(true);
    // exactly one attempt per game wrote a result; the killed worker's games have a second attempt
    const attempts = (await pool.query<{ game_id: number; attempt: number; owner: string; outcome: string | null }>('SELECT game_id, attempt, owner, outcome FROM arbiter.ophelia_attempts')).rows;
    for (const id of games) expect(attempts.filter((a) => a.game_id === id && a.outcome === 'finished')).toHaveLength(1);
    for (const id of victim ?? []) {
      const mine = attempts.filter((a) => a.game_id === id).sort((x, y) => x.attempt - y.attempt);
      expect(mine[0]).toMatchObject({ owner: 'w1', outcome: 'lease_expired' });
      expect(mine.some((a) => a.attempt >= 2 && a.owner !== 'w1' && a.outcome === 'finished')).toBe(true);
    }
    // SIGTERM: the survivors exit 0
    for (const w of workers.slice(1)) expect((await w.stop(30_000)).code).toBe(0);
  }, 240_000);

  it('PostgreSQL restarted under running workers: they reconnect and every game is finished once', async () => {
    const url = await db.freshDatabase();
    const pool = db.pool(url);
    const subs = await seedOphelia(pool, [
      { name: 'Ada', zip: await demoZip() },
      { name: 'Grace', zip: await demoZip() },
    ]);
    const games = await queueGames(pool, subs.get('Ada')!, subs.get('Grace')!, 6);
    const workers = ['r1', 'r2'].map((id) => startWorker(workerEnv(url, id)));
    await waitFor(async () => ((await statusCounts(pool)).playing ?? 0) > 0, { timeoutMs: 60_000, intervalMs: 100, what: 'a game being played' });
    const before = (await pool.query<{ t: Date }>('SELECT pg_postmaster_start_time() AS t')).rows[0]!.t;
    await db.server().restart();
    await waitFor(async () => (await statusCounts(pool)).finished === games.length, { timeoutMs: 60_000, intervalMs: 500, what: 'all games finished after the restart' }).catch(async (err) => { console.log(JSON.stringify(await statusCounts(pool)), workers.map((w) => w.lines.slice(-15).join('\n')).join('\n----\n')); throw err; });
    const attempts = (await pool.query<{ game_id: number }>(`SELECT game_id FROM arbiter.ophelia_attempts WHERE outcome = 'finished'`)).rows.map((r) => r.game_id);
    expect(attempts.sort((a, b) => a - b)).toEqual(games);
    // it was a real restart: every connection the workers held was cut
    const after = (await pool.query<{ t: Date }>('SELECT pg_postmaster_start_time() AS t')).rows[0]!.t;
    expect(after.getTime()).toBeGreaterThan(before.getTime());
    for (const w of workers) {
      const exit = await w.stop(30_000);
      if (exit.code !== 0) console.log(w.lines.slice(-20).join('\n'));
      expect(exit.code).toBe(0);
    }
  }, 200_000);
});
