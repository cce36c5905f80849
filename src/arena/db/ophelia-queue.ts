// The queue on an ophelia database, written exactly as pyrena writes it; the lease is in arbiter.ophelia_leases.
import type pg from 'pg';
import { inTransaction } from './tx.js';
import { claimSettling, type Claim, type FinishedMatch, type MatchQueue, type QueueOptions, type RequeueResult } from './queue.js';

/** pyrena's reasons for a failed game, in both columns. */
export const PYRENA_FAILED_REASON = 'Arena failed to run game';

/** The claim's two reads, pyrena's lowest queued id after any expired lease; exported so tests EXPLAIN them. */
export const OPHELIA_CLAIM_SQL = {
  expired: 'SELECT game_id, attempt FROM arbiter.ophelia_leases WHERE expires_at < now() ORDER BY expires_at LIMIT 1 FOR UPDATE SKIP LOCKED',
  queued: `SELECT id FROM games WHERE status = 'queued' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`,
} as const;

export function createOpheliaQueue(pool: pg.Pool, opts: QueueOptions): MatchQueue {
  const lease = `make_interval(secs => ${Number(opts.leaseSeconds)})`;

  async function endAttempt(c: pg.PoolClient, id: number, attempt: number, outcome: string, reason: string | null): Promise<void> {
    await c.query('UPDATE arbiter.ophelia_attempts SET ended_at = clock_timestamp(), outcome = $3, reason = $4 WHERE game_id = $1 AND attempt = $2 AND ended_at IS NULL', [id, attempt, outcome, reason]);
  }

  /** Locks the lease row if it is still ours; every result write starts with this. */
  async function holds(c: pg.PoolClient, claim: Claim): Promise<boolean> {
    const r = await c.query('SELECT 1 FROM arbiter.ophelia_leases WHERE game_id = $1 AND owner = $2 AND attempt = $3 AND expires_at IS NOT NULL FOR UPDATE', [
      claim.matchId,
      claim.owner,
      claim.attempt,
    ]);
    if (r.rowCount !== 1) return false;
    const g = await c.query(`SELECT 1 FROM games WHERE id = $1 AND status = 'playing' FOR UPDATE`, [claim.matchId]);
    return g.rowCount === 1;
  }

  async function release(c: pg.PoolClient, id: number): Promise<void> {
    await c.query('UPDATE arbiter.ophelia_leases SET owner = NULL, expires_at = NULL WHERE game_id = $1', [id]);
  }

  async function failGame(c: pg.PoolClient, id: number): Promise<void> {
    await c.query(`UPDATE games SET status = 'failed', win_reason = $2, lose_reason = $2, updated_at = now() WHERE id = $1`, [id, PYRENA_FAILED_REASON]);
  }

  async function claimOnce(owner: string): Promise<Claim | null | 'again'> {
    return inTransaction(pool, async (c) => {
      let takeover = false;
      let id: number;
      const expired = (
        await c.query<{ game_id: number; attempt: number }>(
          OPHELIA_CLAIM_SQL.expired,
        )
      ).rows[0];
      if (expired) {
        id = expired.game_id;
        await endAttempt(c, id, expired.attempt, 'lease_expired', 'the worker holding the lease stopped renewing it');
        const game = await c.query(`SELECT 1 FROM games WHERE id = $1 AND status = 'playing' FOR UPDATE`, [id]);
        if (game.rowCount !== 1) {
          await release(c, id); // ended by someone else (an admin, pyrena): nothing to take over
          return 'again';
        }
        if (expired.attempt >= opts.maxAttempts) {
          await failGame(c, id);
          await release(c, id);
          return 'again';
        }
        takeover = true;
      } else {
        const queued = (await c.query<{ id: number }>(OPHELIA_CLAIM_SQL.queued)).rows[0];
        if (!queued) return null;
        id = queued.id;
        await c.query(`UPDATE games SET status = 'playing', updated_at = now() WHERE id = $1`, [id]);
      }
      const leased = await c.query<{ attempt: number }>(
        `INSERT INTO arbiter.ophelia_leases (game_id, owner, attempt, expires_at) VALUES ($1, $2, 1, now() + ${lease})
         ON CONFLICT (game_id) DO UPDATE SET owner = excluded.owner, attempt = arbiter.ophelia_leases.attempt + 1, expires_at = excluded.expires_at
         RETURNING attempt`,
        [id, owner],
      );
      const attempt = leased.rows[0]!.attempt;
      await c.query('INSERT INTO arbiter.ophelia_attempts (game_id, attempt, owner, started_at) VALUES ($1, $2, $3, clock_timestamp()) ON CONFLICT DO NOTHING', [id, attempt, owner]);
      // seat order is games_submissions.id order: the scheduler's seat alternation survives
      const players = await c.query<{ row_id: number; submission_id: number; version: number; name: string }>(
        `SELECT gs.id AS row_id, gs.submission_id, s.version, t.name FROM games_submissions gs
           JOIN submissions s ON s.id = gs.submission_id JOIN teams t ON t.id = s.team_id
          WHERE gs.game_id = $1 ORDER BY gs.id`,
        [id],
      );
      return {
        matchId: id,
        attempt,
        owner,
        game: opts.game,
        takeover,
        players: players.rows.map((p, seat) => ({ seat, name: p.name, submissionId: p.submission_id, version: p.version, rowId: p.row_id })),
      };
    });
  }

  async function writeOutputs(c: pg.PoolClient, claim: Claim, urls: Array<string | null>): Promise<void> {
    for (const [seat, url] of urls.entries()) {
      const row = claim.players[seat]?.rowId;
      if (row !== undefined && url) await c.query('UPDATE games_submissions SET output_url = $2, updated_at = now() WHERE id = $1', [row, url]);
    }
  }

  return {
    claim: (owner) => claimSettling(() => claimOnce(owner)),
    async renew(claim) {
      const r = await pool.query(`UPDATE arbiter.ophelia_leases SET expires_at = now() + ${lease} WHERE game_id = $1 AND owner = $2 AND attempt = $3 AND expires_at IS NOT NULL`, [
        claim.matchId,
        claim.owner,
        claim.attempt,
      ]);
      return r.rowCount === 1;
    },
    async finish(claim, result: FinishedMatch) {
      return inTransaction(pool, async (c) => {
        if (!(await holds(c, claim))) return false;
        const winnerId = result.winnerSeat === null ? null : (claim.players[result.winnerSeat]?.submissionId ?? null);
        await c.query(`UPDATE games SET status = 'finished', winner_id = $2, win_reason = $3, lose_reason = $4, log_url = $5, updated_at = now() WHERE id = $1`, [
          claim.matchId,
          winnerId,
          result.winReason,
          result.loseReason,
          result.logUrl,
        ]);
        await writeOutputs(c, claim, result.outputUrls);
        await release(c, claim.matchId);
        await endAttempt(c, claim.matchId, claim.attempt, 'finished', null);
        return true;
      });
    },
    async fail(claim, reason, outputUrls = []) {
      return inTransaction(pool, async (c) => {
        if (!(await holds(c, claim))) return false;
        await failGame(c, claim.matchId);
        await writeOutputs(c, claim, outputUrls);
        await release(c, claim.matchId);
        await endAttempt(c, claim.matchId, claim.attempt, 'failed', reason); // the precise reason lives here
        return true;
      });
    },
    async requeue(claim, reason): Promise<RequeueResult> {
      return inTransaction(pool, async (c) => {
        if (!(await holds(c, claim))) return 'lost';
        const used = claim.attempt >= opts.maxAttempts;
        if (used) await failGame(c, claim.matchId);
        else await c.query(`UPDATE games SET status = 'queued', updated_at = now() WHERE id = $1`, [claim.matchId]);
        await release(c, claim.matchId);
        await endAttempt(c, claim.matchId, claim.attempt, used ? 'failed' : 'requeued', reason);
        return used ? 'failed' : 'queued';
      });
    },
    async giveBack(claim) {
      return inTransaction(pool, async (c) => {
        if (!(await holds(c, claim))) return false;
        await c.query(`UPDATE games SET status = 'queued', updated_at = now() WHERE id = $1`, [claim.matchId]);
        await c.query('UPDATE arbiter.ophelia_leases SET owner = NULL, expires_at = NULL, attempt = attempt - 1 WHERE game_id = $1', [claim.matchId]);
        await c.query('DELETE FROM arbiter.ophelia_attempts WHERE game_id = $1 AND attempt = $2', [claim.matchId, claim.attempt]);
        return true;
      });
    },
    async depth() {
      const r = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM games WHERE status = 'queued'`);
      return Number(r.rows[0]?.n ?? 0);
    },
    async recordBuild(submissionId, ok, logUrl) {
      await pool.query('UPDATE submissions SET status = $2, log_url = $3, updated_at = now() WHERE id = $1', [submissionId, ok ? 'finished' : 'failed', logUrl]);
    },
  };
}
