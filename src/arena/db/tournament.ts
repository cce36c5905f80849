// Writing a tournament's games and reading its results, in either schema.
import type pg from 'pg';
import type { Entrant, PlannedGame, SeriesResult } from '../scheduler.js';
import { seriesWinner } from '../scheduler.js';
import { inTransaction } from './tx.js';

export type SchemaKind = 'arbiter' | 'ophelia';

/** ophelia: the latest non-failed submission of each eligible team, as pyrena picks them. */
export async function opheliaEntrants(pool: pg.Pool): Promise<Entrant[]> {
  const r = await pool.query<{ id: number; name: string }>(
    `SELECT s.id, t.name FROM submissions s
       JOIN (SELECT team_id, MAX(version) AS version FROM submissions WHERE status != 'failed' GROUP BY team_id) m
         ON s.team_id = m.team_id AND s.version = m.version
       JOIN teams t ON t.id = s.team_id
      WHERE t.is_eligible AND s.status != 'failed'
      ORDER BY t.id`,
  );
  return r.rows.map((row) => ({ id: String(row.id), name: row.name }));
}

/** Queues the planned games; arbiter-schema entrants need a command template each (by entrant id). */
export async function insertGames(
  pool: pg.Pool,
  schema: SchemaKind,
  t: { tournament: string; kind: 'round-robin' | 'elimination'; game: string; commands?: ReadonlyMap<string, string> },
  games: readonly PlannedGame[],
): Promise<number[]> {
  return inTransaction(pool, async (c) => {
    const ids: number[] = [];
    for (const g of games) {
      let id: number;
      if (schema === 'ophelia') {
        id = (await c.query<{ id: number }>(`INSERT INTO games (status) VALUES ('queued') RETURNING id`)).rows[0]!.id;
        // inserted in seat order: the worker seats players by games_submissions.id
        for (const e of g.seats) await c.query('INSERT INTO games_submissions (game_id, submission_id) VALUES ($1, $2)', [id, Number(e.id)]);
      } else {
        id = Number((await c.query<{ id: string }>(`INSERT INTO arbiter.matches (game) VALUES ($1) RETURNING id`, [t.game])).rows[0]!.id);
        for (const [seat, e] of g.seats.entries()) {
          const command = t.commands?.get(e.id);
          if (!command) throw new Error(`no command template for player ${e.name}`);
          await c.query('INSERT INTO arbiter.match_players (match_id, seat, name, command) VALUES ($1, $2, $3, $4)', [id, seat, e.name, command]);
        }
      }
      await c.query('INSERT INTO arbiter.tournament_games (tournament, kind, round, series, match_id) VALUES ($1, $2, $3, $4, $5)', [t.tournament, t.kind, g.round, g.series, id]);
      ids.push(id);
    }
    return ids;
  });
}

interface GameRow {
  round: number;
  series: number;
  status: string;
  winner: string | null;
  players: string[];
}

async function tournamentGames(pool: pg.Pool, schema: SchemaKind, tournament: string): Promise<GameRow[]> {
  const sql =
    schema === 'ophelia'
      ? `SELECT tg.round, tg.series, g.status, g.winner_id::text AS winner,
                array(SELECT gs.submission_id::text FROM games_submissions gs WHERE gs.game_id = g.id ORDER BY gs.id) AS players
           FROM arbiter.tournament_games tg JOIN games g ON g.id = tg.match_id WHERE tg.tournament = $1 ORDER BY tg.match_id`
      : `SELECT tg.round, tg.series, m.status, m.winner,
                array(SELECT p.name FROM arbiter.match_players p WHERE p.match_id = m.id ORDER BY p.seat) AS players
           FROM arbiter.tournament_games tg JOIN arbiter.matches m ON m.id = tg.match_id WHERE tg.tournament = $1 ORDER BY tg.match_id`;
  return (await pool.query<GameRow>(sql, [tournament])).rows;
}

export async function seriesResults(pool: pg.Pool, schema: SchemaKind, tournament: string, bestOf: number): Promise<SeriesResult[]> {
  const bySeries = new Map<number, GameRow[]>();
  for (const g of await tournamentGames(pool, schema, tournament)) bySeries.set(g.series, [...(bySeries.get(g.series) ?? []), g]);
  return [...bySeries.values()].map((games) => {
    const first = games[0]!;
    const players = [...first.players].sort() as [string, string];
    const ended = games.every((g) => g.status === 'finished' || g.status === 'failed');
    return { round: first.round, series: first.series, players, winner: seriesWinner(players, games.map((g) => g.winner), bestOf, ended) };
  });
}

export interface Standing {
  name: string;
  played: number;
  won: number;
  lost: number;
}

/** The table from finished games (optionally one tournament's): most wins first. */
export async function standings(pool: pg.Pool, schema: SchemaKind, tournament?: string): Promise<Standing[]> {
  const filter = tournament ? 'AND id IN (SELECT match_id FROM arbiter.tournament_games WHERE tournament = $1)' : '';
  const sql =
    schema === 'ophelia'
      ? `SELECT t.name, count(*)::int AS played, count(*) FILTER (WHERE g.winner_id = s.id)::int AS won,
                count(*) FILTER (WHERE g.winner_id IS NOT NULL AND g.winner_id <> s.id)::int AS lost
           FROM (SELECT * FROM games WHERE status = 'finished' ${filter}) g
           JOIN games_submissions gs ON gs.game_id = g.id JOIN submissions s ON s.id = gs.submission_id JOIN teams t ON t.id = s.team_id
          GROUP BY t.name`
      : `SELECT p.name, count(*)::int AS played, count(*) FILTER (WHERE m.winner = p.name)::int AS won,
                count(*) FILTER (WHERE m.winner IS NOT NULL AND m.winner <> p.name)::int AS lost
           FROM (SELECT * FROM arbiter.matches WHERE status = 'finished' ${filter}) m
           JOIN arbiter.match_players p ON p.match_id = m.id GROUP BY p.name`;
  const rows = (await pool.query<Standing>(sql, tournament ? [tournament] : [])).rows;
  return rows.sort((a, b) => b.won - a.won || a.lost - b.lost || a.name.localeCompare(b.name));
}

export function formatStandings(rows: readonly Standing[]): string {
  const width = Math.max(4, ...rows.map((r) => r.name.length));
  const head = `${'team'.padEnd(width)}  played  won  lost`;
  return [head, ...rows.map((r) => `${r.name.padEnd(width)}  ${String(r.played).padStart(6)}  ${String(r.won).padStart(3)}  ${String(r.lost).padStart(4)}`)].join('\n');
}
