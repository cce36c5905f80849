// The queue in Arbiter's own schema (arbiter.matches): lease columns on the match row itself.
import type pg from 'pg';
import { inTransaction } from './tx.js';
import { claimSettling, type Claim, type FinishedMatch, type MatchQueue, type QueueOptions, type RequeueResult } from './queue.js';

/** The claim's two reads (an expired lease first, else the lowest queued match); exported so tests EXPLAIN them. */
export const ARBITER_CLAIM_SQL = {
  expired: `SELECT id, attempts FROM arbiter.matches WHERE status = 'playing' AND lease_expires_at < now() ORDER BY lease_expires_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
  queued: `SELECT id, attempts FROM arbiter.matches WHERE status = 'queued' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`,
} as const;

export function createArbiterQueue(pool: pg.Pool, opts: QueueOptions): MatchQueue {
  const lease = `make_interval(secs => ${Number(opts.leaseSeconds)})`;

  async function endAttempt(c: pg.PoolClient, id: number, attempt: number, outcome: string, reason: string | null): Promise<void> {
    await c.query('UPDATE arbiter.match_attempts SET ended_at = clock_timestamp(), outcome = $3, reason = $4 WHERE match_id = $1 AND attempt = $2 AND ended_at IS NULL', [id, attempt, outcome, reason]);
  }

  async function claimOnce(owner: string): Promise<Claim | null | 'again'> {
    return inTransaction(pool, async (c) => {
      let takeover = false;
      let row = (
        await c.query<{ id: string; attempts: number }>(
          ARBITER_CLAIM_SQL.expired,
        )
      ).rows[0];
      if (row) {
        takeover = true;
        await endAttempt(c, Number(row.id), row.attempts, 'lease_expired', 'the worker holding the lease stopped renewing it');
        if (row.attempts >= opts.maxAttempts) {
          const reason = `lease expired on attempt ${row.attempts} of ${opts.maxAttempts}: the workers playing it stopped`;
          await c.query(`UPDATE arbiter.matches SET status = 'failed', reason = $2, lease_owner = NULL, lease_expires_at = NULL, updated_at = now() WHERE id = $1`, [row.id, reason]);
          return 'again';
        }
      } else {
        row = (await c.query<{ id: string; attempts: number }>(ARBITER_CLAIM_SQL.queued)).rows[0];
        if (!row) return null;
      }
      const updated = await c.query<{ attempts: number; game: string }>(
        `UPDATE arbiter.matches SET status = 'playing', attempts = attempts + 1, lease_owner = $2, lease_attempt = attempts + 1,
           lease_expires_at = now() + ${lease}, updated_at = now() WHERE id = $1 RETURNING attempts, game`,
        [row.id, owner],
      );
      const { attempts, game } = updated.rows[0]!;
      await c.query('INSERT INTO arbiter.match_attempts (match_id, attempt, owner, started_at) VALUES ($1, $2, $3, clock_timestamp())', [row.id, attempts, owner]);
      const players = await c.query<{ seat: number; name: string; command: string }>('SELECT seat, name, command FROM arbiter.match_players WHERE match_id = $1 ORDER BY seat', [row.id]);
      return { matchId: Number(row.id), attempt: attempts, owner, game, players: players.rows, takeover };
    });
  }

  // Every write below names the lease it is made under; a worker whose lease was taken over matches no row.
  const HELD = `id = $1 AND status = 'playing' AND lease_owner = $2 AND lease_attempt = $3`;

  return {
    claim: (owner) => claimSettling(() => claimOnce(owner)),
    async renew(claim) {
      const r = await pool.query(`UPDATE arbiter.matches SET lease_expires_at = now() + ${lease} WHERE ${HELD}`, [claim.matchId, claim.owner, claim.attempt]);
      return r.rowCount === 1;
    },
    async finish(claim, result: FinishedMatch) {
      return inTransaction(pool, async (c) => {
        const winner = result.winnerSeat === null ? null : (claim.players.find((p) => p.seat === result.winnerSeat)?.name ?? null);
        const reason = [result.winReason, result.loseReason].filter((r) => r).join(' / ') || null;
        const r = await c.query(
          `UPDATE arbiter.matches SET status = 'finished', winner = $4, reason = $5, log_url = $6, lease_owner = NULL, lease_expires_at = NULL, updated_at = now() WHERE ${HELD}`,
          [claim.matchId, claim.owner, claim.attempt, winner, reason, result.logUrl],
        );
        if (r.rowCount !== 1) return false;
        for (const [seat, url] of result.outputUrls.entries()) {
          await c.query('UPDATE arbiter.match_players SET output_url = $3 WHERE match_id = $1 AND seat = $2', [claim.matchId, seat, url]);
        }
        await endAttempt(c, claim.matchId, claim.attempt, 'finished', reason);
        return true;
      });
    },
    async fail(claim, reason, outputUrls = []) {
      return inTransaction(pool, async (c) => {
        const r = await c.query(`UPDATE arbiter.matches SET status = 'failed', reason = $4, lease_owner = NULL, lease_expires_at = NULL, updated_at = now() WHERE ${HELD}`, [
          claim.matchId,
          claim.owner,
          claim.attempt,
          reason,
        ]);
        if (r.rowCount !== 1) return false;
        for (const [seat, url] of outputUrls.entries()) {
          await c.query('UPDATE arbiter.match_players SET output_url = $3 WHERE match_id = $1 AND seat = $2', [claim.matchId, seat, url]);
        }
        await endAttempt(c, claim.matchId, claim.attempt, 'failed', reason);
        return true;
      });
    },
    async requeue(claim, reason): Promise<RequeueResult> {
      return inTransaction(pool, async (c) => {
        const used = claim.attempt >= opts.maxAttempts;
        const status = used ? 'failed' : 'queued';
        const text = used ? `${reason} (attempt ${claim.attempt} of ${opts.maxAttempts})` : reason;
        const r = await c.query(`UPDATE arbiter.matches SET status = $4, reason = $5, lease_owner = NULL, lease_expires_at = NULL, updated_at = now() WHERE ${HELD}`, [
          claim.matchId,
          claim.owner,
          claim.attempt,
          status,
          text,
        ]);
        if (r.rowCount !== 1) return 'lost';
        await endAttempt(c, claim.matchId, claim.attempt, used ? 'failed' : 'requeued', reason);
        return used ? 'failed' : 'queued';
      });
    },
    async giveBack(claim) {
      return inTransaction(pool, async (c) => {
        const r = await c.query(
          `UPDATE arbiter.matches SET status = 'queued', attempts = attempts - 1, lease_owner = NULL, lease_expires_at = NULL, updated_at = now() WHERE ${HELD}`,
          [claim.matchId, claim.owner, claim.attempt],
        );
        if (r.rowCount !== 1) return false;
        await c.query('DELETE FROM arbiter.match_attempts WHERE match_id = $1 AND attempt = $2', [claim.matchId, claim.attempt]);
        return true;
      });
    },
    async depth() {
      const r = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM arbiter.matches WHERE status = 'queued'`);
      return Number(r.rows[0]?.n ?? 0);
    },
  };
}
