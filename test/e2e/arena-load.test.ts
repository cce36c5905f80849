// 200 queued matches in the arbiter schema (players given as command templates), 4 worker processes with
// ARENA_PARALLEL=4 on a real local-mode manager, beside 50,000 finished matches: every match finished exactly once,
// no two attempts of a match overlap, no worker plays more than 4 at once, and both claim queries read an index.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoBotDir } from '../../src/arena/bots/index.js';
import { ARBITER_CLAIM_SQL } from '../../src/arena/db/arbiter-queue.js';
import { migrate } from '../../src/arena/db/migrate.js';
import { startLocalManager, serverStates, type LocalManager } from '../support/local-manager.js';
import { stopAll } from '../support/processes.js';
import { usePostgres } from '../support/postgres.js';
import { startWorker } from '../support/arena.js';
import { waitFor } from '../support/wait.js';

const MATCHES = 200;
const WORKERS = 4;
const PARALLEL = 4;
const db = usePostgres();
let manager: LocalManager;
let root: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'arena-load-'));
  // games of 0.1 s once both players are in (they get 20 s to join); room for all 16 matches at once from the start
  manager = await startLocalManager({ GAMESERVER_CAPACITY: '8', MIN_SERVERS: '3', UPSCALE_MARGIN: '2', DOWNSCALE_MARGIN: '12', DEMO_SESSION_SECONDS: '0.1', LOCAL_GAMESERVER_ENV: 'DEMO_JOIN_TIMEOUT_SECONDS', DEMO_JOIN_TIMEOUT_SECONDS: '20', POLL_INTERVAL: '0.2', SLEEP_TIME: '1' });
  await waitFor(async () => (await serverStates(manager.base)).filter((s) => s === 'active').length >= 3, { timeoutMs: 60_000, what: 'three active gameservers' });
}, 90_000);

afterAll(async () => {
  await stopAll();
  rmSync(root, { recursive: true, force: true });
}, 60_000);

/** The demo bot as a command template, as `arbiter-arena schedule --player NAME=COMMAND` takes it. */
const template = `${process.execPath} ${join(demoBotDir(), 'main.mjs')} --server {host} --port {port} --password {password} --name {name} --session {session} --index {index} {game}`;

/** Most intervals open at one instant. */
function maxOverlap(intervals: Array<[number, number]>): number {
  const edges = intervals.flatMap(([a, b]) => [[a, 1] as const, [b, -1] as const]).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let open = 0;
  let max = 0;
  for (const [, d] of edges) max = Math.max(max, (open += d));
  return max;
}

describe('arena under load', () => {
  it(`${MATCHES} matches, ${WORKERS} workers × ARENA_PARALLEL=${PARALLEL}: each finished exactly once, no double claim`, async () => {
    const url = await db.freshDatabase();
    const pool = db.pool(url);
    await migrate(pool);
    await pool.query(`INSERT INTO arbiter.matches (game, status) SELECT 'Chess', 'finished' FROM generate_series(1, 50000)`);
    const ids = (await pool.query<{ id: string }>(`INSERT INTO arbiter.matches (game) SELECT 'Chess' FROM generate_series(1, $1) RETURNING id`, [MATCHES])).rows.map((r) => Number(r.id));
    // seats alternate from match to match
    await pool.query(
      `INSERT INTO arbiter.match_players (match_id, seat, name, command)
       SELECT m.id, s.seat, CASE WHEN (m.id + s.seat) % 2 = 0 THEN 'Ada' ELSE 'Grace' END, $2
         FROM unnest($1::bigint[]) AS m(id), generate_series(0, 1) AS s(seat)`,
      [ids, template],
    );
    await pool.query('ANALYZE arbiter.matches');
    for (const q of Object.values(ARBITER_CLAIM_SQL)) {
      const plan = (await pool.query(`EXPLAIN ${q}`)).rows.map((r) => r['QUERY PLAN'] as string).join('\n');
      expect(plan).toMatch(/Index Scan using matches_(queued|leased)/);
      expect(plan).not.toMatch(/Seq Scan/);
    }

    const began = Date.now();
    const workers = Array.from({ length: WORKERS }, (_, k) =>
      startWorker({
        ARENA_SCHEMA: 'arbiter',
        DATABASE_URL: url,
        ARBITER_URL: manager.base,
        ARENA_WORKER_ID: `load-${k}`,
        ARENA_PARALLEL: String(PARALLEL),
        ARENA_POLL_SECONDS: '0.1',
        LEASE_SECONDS: '10',
        MAX_ATTEMPTS: '3',
        MATCH_TIMEOUT: '60',
        LOG_LEVEL: 'warn',
        LOG_STORE: `file://${join(root, 'logs')}`,
        ARENA_CACHE_DIR: join(root, `cache-${k}`),
      }),
    );
    const done = async () => (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM arbiter.matches WHERE id = ANY($1) AND status IN ('finished', 'failed')`, [ids])).rows[0]!.n;
    await waitFor(async () => (await done()) === MATCHES, { timeoutMs: 100_000, intervalMs: 250, what: `all ${MATCHES} matches ended` }).catch(async (err: Error) => {
      throw new Error(`${err.message} (${await done()} ended); last lines: ${workers.map((w) => w.lines.slice(-3).join(' | ')).join(' || ')}`);
    });
    const seconds = (Date.now() - began) / 1000;
    for (const w of workers) expect((await w.stop(20_000)).code).toBe(0);

    const matches = (await pool.query<{ id: string; status: string; winner: string | null; attempts: number }>('SELECT id, status, winner, attempts FROM arbiter.matches WHERE id = ANY($1)', [ids])).rows;
    expect(matches.filter((m) => m.status !== 'finished')).toEqual([]);
    for (const m of matches) expect(['Ada', 'Grace']).toContain(m.winner);
    const attempts = (await pool.query<{ match_id: string; attempt: number; owner: string; outcome: string; s: number; e: number }>(
      `SELECT match_id, attempt, owner, outcome, extract(epoch FROM started_at)::float8 AS s, extract(epoch FROM ended_at)::float8 AS e FROM arbiter.match_attempts ORDER BY match_id, attempt`,
    )).rows;
    const byMatch = new Map<string, typeof attempts>();
    for (const a of attempts) byMatch.set(a.match_id, [...(byMatch.get(a.match_id) ?? []), a]);
    expect(byMatch.size).toBe(MATCHES);
    for (const list of byMatch.values()) {
      // one result per match, and its attempts one after another, never two at once
      expect(list.filter((a) => a.outcome === 'finished')).toHaveLength(1);
      expect(list.every((a) => a.e !== null)).toBe(true);
      expect(maxOverlap(list.map((a) => [a.s, a.e]))).toBe(1);
    }
    // every worker took part, and none played more than ARENA_PARALLEL at once
    const owners = new Set(attempts.map((a) => a.owner));
    expect(owners.size).toBe(WORKERS);
    for (const o of owners) expect(maxOverlap(attempts.filter((a) => a.owner === o).map((a) => [a.s, a.e]))).toBeLessThanOrEqual(PARALLEL);
    console.log(`arena load: ${MATCHES} matches in ${seconds.toFixed(1)} s, ${attempts.length} attempts`);
  }, 150_000);
});
