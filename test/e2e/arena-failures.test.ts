// What each failure does to an ophelia game: a bot that never exits (timeout → failed), a bot that fails to build
// (failed, build log stored, submission marked failed as pyrena does), a gameserver that dies mid-match (requeued).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopAll } from '../support/processes.js';
import { usePostgres } from '../support/postgres.js';
import { brokenBuildZip, demoZip, queueGames, seedOphelia, startWorker } from '../support/arena.js';
import { waitFor } from '../support/wait.js';
import { startGameserver, stopFleet, stubManager } from '../support/arena-fleet.js';

const db = usePostgres();
let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'arena-fail-'));
});

afterAll(async () => {
  await stopAll();
  stopFleet();
  rmSync(root, { recursive: true, force: true });
}, 60_000);

const env = (url: string, manager: string, extra: Record<string, string> = {}) => ({
  DATABASE_URL: url,
  ARBITER_URL: manager,
  ARENA_PARALLEL: '3',
  LEASE_SECONDS: '5',
  MAX_ATTEMPTS: '2',
  LOG_STORE: `file://${join(root, 'logs')}`,
  ARENA_CACHE_DIR: join(root, `cache-${Math.random().toString(16).slice(2)}`),
  ...extra,
});

describe('arena failures', () => {
  it('a bot that never exits times out, and a bot that fails to build fails its game with the build log', async () => {
    // games outlast MATCH_TIMEOUT: the deadline, not the game, ends the match with the bot that never exits
    const gs = await startGameserver(40);
    const manager = await stubManager(gs);
    const url = await db.freshDatabase();
    const pool = db.pool(url);
    const subs = await seedOphelia(pool, [
      { name: 'Ada', zip: await demoZip() },
      { name: 'Stuck-hang', zip: await demoZip() },
      { name: 'Broken', zip: await brokenBuildZip() },
    ]);
    const [hangGame] = await queueGames(pool, subs.get('Ada')!, subs.get('Stuck-hang')!, 1);
    const [buildGame] = await queueGames(pool, subs.get('Ada')!, subs.get('Broken')!, 1);
    const worker = startWorker(env(url, manager, { MATCH_TIMEOUT: '8' }));
    await waitFor(async () => (await pool.query(`SELECT 1 FROM games WHERE status = 'failed'`)).rowCount === 2, { timeoutMs: 60_000, intervalMs: 300, what: 'both games failed' }).catch(async (e) => { console.log(JSON.stringify((await pool.query('SELECT * FROM arbiter.ophelia_attempts')).rows), JSON.stringify((await pool.query('SELECT id,status FROM games')).rows), worker.lines.slice(-10).join('\n')); throw e; });
    const games = (await pool.query('SELECT id, status, win_reason, lose_reason FROM games ORDER BY id')).rows;
    for (const g of games) expect(g).toMatchObject({ status: 'failed', win_reason: 'Arena failed to run game', lose_reason: 'Arena failed to run game' });
    const reasons = new Map((await pool.query<{ game_id: number; reason: string }>('SELECT game_id, reason FROM arbiter.ophelia_attempts')).rows.map((r) => [r.game_id, r.reason]));
    expect(reasons.get(hangGame!)).toMatch(/timeout/);
    expect(reasons.get(buildGame!)).toMatch(/build failed/);
    const broken = (await pool.query('SELECT status, log_url FROM submissions WHERE id = $1', [subs.get('Broken')])).rows[0];
    expect(broken.status).toBe('failed');
    expect(readFileSync(fileURLToPath(broken.log_url as string), 'utf8')).toContain('syntax error in bot.c');
    // the bot that never exited was stopped with its match
    expect((await worker.stop(20_000)).code).toBe(0);
  }, 120_000);

  it('a gameserver that dies mid-match sends the game back to the queue (a fleet fault, not the bots\')', async () => {
    const gs = await startGameserver(30);
    const manager = await stubManager(gs);
    const url = await db.freshDatabase();
    const pool = db.pool(url);
    const subs = await seedOphelia(pool, [
      { name: 'Ada', zip: await demoZip() },
      { name: 'Grace', zip: await demoZip() },
    ]);
    const [game] = await queueGames(pool, subs.get('Ada')!, subs.get('Grace')!, 1);
    const worker = startWorker(env(url, manager, { MATCH_TIMEOUT: '60' }));
    await waitFor(() => worker.events().some((e) => e.message === 'clients started'), { timeoutMs: 60_000, what: 'the match to start' });
    gs.proc.kill('SIGKILL');
    await waitFor(async () => (await pool.query(`SELECT 1 FROM arbiter.ophelia_attempts WHERE game_id = $1 AND outcome = 'requeued'`, [game])).rowCount === 1, {
      timeoutMs: 60_000,
      intervalMs: 300,
      what: 'the game requeued',
    });
    const first = (await pool.query('SELECT reason FROM arbiter.ophelia_attempts WHERE game_id = $1 AND attempt = 1', [game])).rows[0];
    expect(first.reason).toBeTruthy();
    expect(existsSync(join(root, 'logs'))).toBe(true);
    await worker.stop(20_000);
  }, 120_000);
});
