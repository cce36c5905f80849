// The arena's queue against a real PostgreSQL server: leases, takeover, writes refused to a lost lease,
// MAX_ATTEMPTS, give-back, concurrent claims without doubles, and a claim plan that uses an index.
import { describe, expect, it } from 'vitest';
import type pg from 'pg';
import { migrate } from '../../src/arena/db/migrate.js';
import { OPHELIA_DDL, SEED_TEAM_SQL } from '../../src/arena/db/ophelia-ddl.js';
import { createQueue } from '../../src/arena/db/pool.js';
import { ARBITER_CLAIM_SQL } from '../../src/arena/db/arbiter-queue.js';
import { OPHELIA_CLAIM_SQL } from '../../src/arena/db/ophelia-queue.js';
import type { Claim, MatchQueue } from '../../src/arena/db/queue.js';
import { usePostgres } from '../support/postgres.js';

const pg_ = usePostgres();

async function arbiterDb(matches: number): Promise<pg.Pool> {
  const pool = pg_.pool(await pg_.freshDatabase(), 20);
  await migrate(pool);
  await pool.query(`INSERT INTO arbiter.matches (game) SELECT 'Chess' FROM generate_series(1, $1)`, [matches]);
  await pool.query(`INSERT INTO arbiter.match_players (match_id, seat, name, command) SELECT id, s, 'p' || s, 'true' FROM arbiter.matches, generate_series(0, 1) s`);
  return pool;
}

async function opheliaDb(games: number): Promise<pg.Pool> {
  const pool = pg_.pool(await pg_.freshDatabase(), 20);
  await pool.query(OPHELIA_DDL);
  await migrate(pool, { ophelia: true });
  const subs: number[] = [];
  for (const name of ['red', 'blue']) {
    const user = (await pool.query<{ id: number }>(SEED_TEAM_SQL.user, [name])).rows[0]!.id;
    const team = (await pool.query<{ id: number }>(SEED_TEAM_SQL.team, [name, user])).rows[0]!.id;
    subs.push((await pool.query<{ id: number }>(SEED_TEAM_SQL.submission, [team, 1, Buffer.from('zip')])).rows[0]!.id);
  }
  for (let i = 0; i < games; i++) {
    const id = (await pool.query<{ id: number }>(`INSERT INTO games (status) VALUES ('queued') RETURNING id`)).rows[0]!.id;
    // the second game seats blue first: seat order must follow games_submissions.id
    const order = i % 2 === 0 ? subs : [...subs].reverse();
    for (const s of order) await pool.query('INSERT INTO games_submissions (game_id, submission_id) VALUES ($1, $2)', [id, s]);
  }
  return pool;
}

const opts = (leaseSeconds = 30, maxAttempts = 3) => ({ leaseSeconds, maxAttempts, game: 'Chess' });
const result = { winnerSeat: 0, winReason: 'checkmate', loseReason: 'was checkmated', logUrl: 'file:///g.gz', outputUrls: ['file:///a', 'file:///b'] };

async function expireLease(pool: pg.Pool, schema: 'arbiter' | 'ophelia', id: number): Promise<void> {
  if (schema === 'arbiter') await pool.query(`UPDATE arbiter.matches SET lease_expires_at = now() - interval '1 second' WHERE id = $1`, [id]);
  else await pool.query(`UPDATE arbiter.ophelia_leases SET expires_at = now() - interval '1 second' WHERE game_id = $1`, [id]);
}

describe.each(['arbiter', 'ophelia'] as const)('%s schema queue', (schema) => {
  const make = (n: number) => (schema === 'arbiter' ? arbiterDb(n) : opheliaDb(n));

  it('claims the lowest queued match, renews, and writes the result once', async () => {
    const pool = await make(2);
    const q = createQueue(schema, pool, opts());
    const c = (await q.claim('w1'))!;
    expect(c).toMatchObject({ matchId: 1, attempt: 1, owner: 'w1', takeover: false });
    expect(c.players.map((p) => p.seat)).toEqual([0, 1]);
    expect(await q.renew(c)).toBe(true);
    expect(await q.finish(c, result)).toBe(true);
    expect(await q.finish(c, result)).toBe(false); // no second write
    expect(await q.depth()).toBe(1);
  });

  it('an expired lease is taken over; the old owner can neither renew nor write', async () => {
    const pool = await make(1);
    const q = createQueue(schema, pool, opts());
    const first = (await q.claim('w1'))!;
    await expireLease(pool, schema, first.matchId);
    const second = (await q.claim('w2'))!;
    expect(second).toMatchObject({ matchId: first.matchId, attempt: 2, owner: 'w2', takeover: true });
    expect(await q.renew(first)).toBe(false);
    expect(await q.finish(first, result)).toBe(false);
    expect(await q.fail(first, 'late')).toBe(false);
    expect(await q.requeue(first, 'late')).toBe('lost');
    expect(await q.finish(second, { ...result, winnerSeat: 1 })).toBe(true);
    if (schema === 'ophelia') {
      const g = (await pool.query('SELECT status, winner_id, win_reason, lose_reason, log_url FROM games WHERE id = $1', [first.matchId])).rows[0];
      expect(g).toEqual({ status: 'finished', winner_id: second.players[1]!.submissionId, win_reason: 'checkmate', lose_reason: 'was checkmated', log_url: 'file:///g.gz' });
      const outs = (await pool.query('SELECT output_url FROM games_submissions WHERE game_id = $1 ORDER BY id', [first.matchId])).rows.map((r) => r.output_url);
      expect(outs).toEqual(['file:///a', 'file:///b']);
      const attempts = (await pool.query('SELECT attempt, owner, outcome FROM arbiter.ophelia_attempts WHERE game_id = $1 ORDER BY attempt', [first.matchId])).rows;
      expect(attempts).toEqual([{ attempt: 1, owner: 'w1', outcome: 'lease_expired' }, { attempt: 2, owner: 'w2', outcome: 'finished' }]);
    } else {
      const m = (await pool.query('SELECT status, winner, attempts FROM arbiter.matches WHERE id = $1', [first.matchId])).rows[0];
      expect(m).toEqual({ status: 'finished', winner: 'p1', attempts: 2 });
    }
  });

  it('an attempt starts after the one before it ended, even when the claiming transaction began first', async () => {
    // A claim whose transaction began before the previous attempt ended (a busy worker between BEGIN and its first
    // read) must not record a start earlier than that end: the history would show one match played twice at once.
    const pool = await make(1);
    const q = createQueue(schema, pool, opts());
    const first = (await q.claim('w1'))!;
    let begun!: () => void;
    const inTransaction = new Promise<void>((resolve) => (begun = resolve));
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const gated = pg_.pool(pool.options.connectionString as string, 2);
    const connect = gated.connect.bind(gated);
    Object.assign(gated, {
      connect: async () => {
        const client = await connect();
        const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
        let calls = 0;
        Object.assign(client, {
          query: async (...args: unknown[]) => {
            calls += 1;
            if (calls === 2) {
              begun();
              await gate;
            }
            return query(...args);
          },
        });
        return client;
      },
    });
    const claiming = createQueue(schema, gated, opts()).claim('w2');
    await inTransaction;
    expect(await q.requeue(first, 'no_server')).toBe('queued');
    open();
    const second = (await claiming)!;
    expect(second).toMatchObject({ matchId: first.matchId, attempt: 2, owner: 'w2' });
    const table = schema === 'arbiter' ? 'arbiter.match_attempts' : 'arbiter.ophelia_attempts';
    const key = schema === 'arbiter' ? 'match_id' : 'game_id';
    const rows = (await pool.query<{ attempt: number; s: Date; e: Date | null }>(`SELECT attempt, started_at AS s, ended_at AS e FROM ${table} WHERE ${key} = $1 ORDER BY attempt`, [first.matchId])).rows;
    expect(rows).toHaveLength(2);
    expect(rows[1]!.s.getTime()).toBeGreaterThanOrEqual(rows[0]!.e!.getTime());
  });

  it('fleet faults requeue until MAX_ATTEMPTS, then the match fails; an expired last attempt fails too', async () => {
    const pool = await make(2);
    const q = createQueue(schema, pool, opts(30, 2));
    const a1 = (await q.claim('w'))!;
    expect(await q.requeue(a1, 'no_server')).toBe('queued');
    const a2 = (await q.claim('w'))!;
    expect(a2).toMatchObject({ matchId: a1.matchId, attempt: 2 });
    expect(await q.requeue(a2, 'no_server')).toBe('failed');
    const b1 = (await q.claim('w'))!;
    const b2 = await (async () => {
      await expireLease(pool, schema, b1.matchId);
      return (await q.claim('w2'))!;
    })();
    expect(b2.attempt).toBe(2);
    await expireLease(pool, schema, b2.matchId);
    expect(await q.claim('w3')).toBeNull(); // used up: failed, not played a third time
    const table = schema === 'ophelia' ? 'games' : 'arbiter.matches';
    const statuses = (await pool.query(`SELECT status FROM ${table} ORDER BY id`)).rows.map((r) => r.status);
    expect(statuses).toEqual(['failed', 'failed']);
    if (schema === 'ophelia') {
      const reasons = (await pool.query('SELECT win_reason, lose_reason FROM games')).rows;
      for (const r of reasons) expect(r).toEqual({ win_reason: 'Arena failed to run game', lose_reason: 'Arena failed to run game' });
    }
  });

  it('give-back returns the match to the queue without counting the attempt', async () => {
    const pool = await make(1);
    const q = createQueue(schema, pool, opts());
    const c = (await q.claim('w'))!;
    expect(await q.giveBack(c)).toBe(true);
    const again = (await q.claim('w'))!;
    expect(again.attempt).toBe(1);
  });

  it('200 matches, 16 concurrent claimers on 4 pools: every match claimed exactly once', async () => {
    const pool = await make(200);
    const url = (pool as unknown as { options: { connectionString: string } }).options.connectionString;
    const queues: MatchQueue[] = Array.from({ length: 4 }, () => createQueue(schema, pg_.pool(url, 4), opts()));
    const seen: Claim[] = [];
    await Promise.all(
      Array.from({ length: 16 }, async (_, k) => {
        const q = queues[k % 4]!;
        for (;;) {
          const c = await q.claim(`w${k}`);
          if (!c) return;
          seen.push(c);
          expect(await q.finish(c, result)).toBe(true);
        }
      }),
    );
    const ids = seen.map((c) => c.matchId);
    expect(new Set(ids).size).toBe(200);
    expect(ids.length).toBe(200);
  });

  it('both claim queries read an index, not the whole table, beside 20,000 finished matches', async () => {
    const pool = await make(0);
    const table = schema === 'ophelia' ? 'games' : 'arbiter.matches';
    if (schema === 'ophelia') {
      await pool.query(`INSERT INTO games (status) SELECT 'finished' FROM generate_series(1, 20000)`);
      // every game Arbiter played keeps its (released) lease row: the side table grows with games
      await pool.query(`INSERT INTO arbiter.ophelia_leases (game_id, owner, attempt, expires_at) SELECT id, NULL, 1, NULL FROM games`);
      await pool.query('ANALYZE arbiter.ophelia_leases');
    } else await pool.query(`INSERT INTO arbiter.matches (game, status) SELECT 'Chess', 'finished' FROM generate_series(1, 20000)`);
    await pool.query(`INSERT INTO ${table} (${schema === 'ophelia' ? 'status' : 'game, status'}) VALUES (${schema === 'ophelia' ? `'queued'` : `'Chess', 'queued'`})`);
    await pool.query(`ANALYZE ${table}`);
    const sql = schema === 'ophelia' ? OPHELIA_CLAIM_SQL : ARBITER_CLAIM_SQL;
    const plan = async (q: string) => (await pool.query(`EXPLAIN ${q}`)).rows.map((r) => r['QUERY PLAN'] as string).join('\n');
    const queued = await plan(sql.queued);
    expect(queued).toMatch(schema === 'ophelia' ? /Index Scan using arbiter_games_queued/ : /Index Scan using matches_queued/);
    expect(queued).not.toMatch(/Seq Scan/);
    const expired = await plan(sql.expired);
    expect(expired).toMatch(schema === 'ophelia' ? /Index Scan using ophelia_leases_expiry/ : /Index Scan using matches_leased/);
    expect(expired).not.toMatch(/Seq Scan/);
  });
});

describe('migrations', () => {
  it('are applied once and recorded, even when many workers start together', async () => {
    const url = await pg_.freshDatabase();
    const results = await Promise.all(Array.from({ length: 4 }, () => migrate(pg_.pool(url, 2))));
    expect(results.flat().sort()).toEqual([1, 2, 3]);
    const rows = (await pg_.pool(url, 1).query('SELECT version FROM arbiter.schema_migrations ORDER BY version')).rows.map((r) => r.version);
    expect(rows).toEqual([1, 2, 3]);
  });
});
