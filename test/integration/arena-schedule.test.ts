// `arbiter-arena schedule` and `standings` as users run them (the built CLI) against a real PostgreSQL server:
// a best-of-3 round-robin with alternating seats in the arbiter schema (players as command templates), and a
// single-elimination best-of-3 over ophelia's eligible teams' latest submissions, round by round to its champion.
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { migrate } from '../../src/arena/db/migrate.js';
import { OPHELIA_DDL, SEED_TEAM_SQL } from '../../src/arena/db/ophelia-ddl.js';
import { usePostgres } from '../support/postgres.js';
import { REPO_ROOT } from '../support/processes.js';

const db = usePostgres();
const run = promisify(execFile);

async function cli(url: string, schema: 'arbiter' | 'ophelia', args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['dist/src/arena/main.js', ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', DATABASE_URL: url, ARENA_SCHEMA: schema, GAME_NAME: 'Chess', LOG_LEVEL: 'error' },
    timeout: 30_000,
  });
  return stdout.trim();
}

/** `standings` output → rows of [team, played, won, lost]. */
function table(out: string): Array<[string, number, number, number]> {
  const [head, ...lines] = out.split('\n');
  expect(head).toMatch(/^team\s+played\s+won\s+lost$/);
  return lines.map((l) => {
    const [name, ...n] = l.trim().split(/\s+/);
    return [name!, Number(n[0]), Number(n[1]), Number(n[2])];
  });
}

describe('arbiter-arena schedule and standings', () => {
  it('arbiter schema: a best-of-3 round-robin of command templates, seats alternating, then the standings', async () => {
    const url = await db.freshDatabase();
    const pool = db.pool(url);
    const players = ['Ada', 'Grace', 'Linus'].flatMap((n) => ['--player', `${n}=./bot --name {name} --index {index} --port {port}`]);
    expect(await cli(url, 'arbiter', ['schedule', '--tournament', 'rr', '--format', 'round-robin', '--best-of', '3', ...players])).toBe('queued 9 games for 3 entrants');
    const games = (await pool.query<{ id: string; series: number; seats: string[]; command: string }>(
      `SELECT m.id, tg.series, array(SELECT p.name FROM arbiter.match_players p WHERE p.match_id = m.id ORDER BY p.seat) AS seats,
              (SELECT p.command FROM arbiter.match_players p WHERE p.match_id = m.id AND p.seat = 0) AS command
         FROM arbiter.matches m JOIN arbiter.tournament_games tg ON tg.match_id = m.id WHERE tg.tournament = 'rr' AND m.status = 'queued' ORDER BY m.id`,
    )).rows;
    expect(games.map((g) => `${g.series}:${g.seats.join('v')}`)).toEqual([
      '0:AdavGrace', '0:GracevAda', '0:AdavGrace',
      '1:AdavLinus', '1:LinusvAda', '1:AdavLinus',
      '2:GracevLinus', '2:LinusvGrace', '2:GracevLinus',
    ]);
    expect(games[0]!.command).toBe('./bot --name {name} --index {index} --port {port}');
    // Ada wins everything; Grace beats Linus twice of three
    const winners = ['Ada', 'Ada', 'Ada', 'Ada', 'Ada', 'Ada', 'Grace', 'Linus', 'Grace'];
    for (const [i, g] of games.entries()) await pool.query(`UPDATE arbiter.matches SET status = 'finished', winner = $2 WHERE id = $1`, [g.id, winners[i]]);
    expect(table(await cli(url, 'arbiter', ['standings', '--tournament', 'rr']))).toEqual([
      ['Ada', 6, 6, 0],
      ['Grace', 6, 2, 4],
      ['Linus', 6, 1, 5],
    ]);
  }, 60_000);

  it('refuses a bad schedule with the reason and a usage line', async () => {
    const url = await db.freshDatabase();
    const err = await cli(url, 'arbiter', ['schedule', '--tournament', 'x', '--best-of', '2', '--player', 'A=a', '--player', 'B=b']).catch((e: { code: number; stderr: string }) => e);
    expect(typeof err).toBe('object');
    expect((err as { code: number }).code).toBe(64);
    expect((err as { stderr: string }).stderr).toMatch(/--best-of must be an odd number/);
  }, 30_000);

  it('ophelia schema: single elimination best-of-3 over eligible teams\' latest submissions, round by round', async () => {
    const url = await db.freshDatabase();
    const pool = db.pool(url);
    await pool.query(OPHELIA_DDL);
    await migrate(pool, { ophelia: true });
    const latest = new Map<string, number>();
    for (const name of ['Ada', 'Grace', 'Linus', 'Barbara', 'Benched']) {
      const user = (await pool.query<{ id: number }>(SEED_TEAM_SQL.user, [name])).rows[0]!.id;
      const team = (await pool.query<{ id: number }>(SEED_TEAM_SQL.team, [name, user])).rows[0]!.id;
      await pool.query(SEED_TEAM_SQL.submission, [team, 1, Buffer.from('old')]);
      latest.set(name, (await pool.query<{ id: number }>(SEED_TEAM_SQL.submission, [team, 2, Buffer.from('new')])).rows[0]!.id);
      if (name === 'Benched') await pool.query('UPDATE teams SET is_eligible = false WHERE id = $1', [team]);
    }
    const name = new Map([...latest].map(([n, id]) => [id, n]));
    const sched = () => cli(url, 'ophelia', ['schedule', '--tournament', 'cup', '--format', 'elimination', '--lives', '1', '--best-of', '3']);
    const queued = async () =>
      (await pool.query<{ id: number; subs: number[] }>(
        `SELECT g.id, array(SELECT gs.submission_id FROM games_submissions gs WHERE gs.game_id = g.id ORDER BY gs.id) AS subs FROM games g WHERE g.status = 'queued' ORDER BY g.id`,
      )).rows;
    /** Plays the queued games: the first-named entrant of each series wins all of them. */
    const play = async (winner: (subs: number[]) => number) => {
      for (const g of await queued()) await pool.query(`UPDATE games SET status = 'finished', winner_id = $2 WHERE id = $1`, [g.id, winner(g.subs)]);
    };

    expect(await sched()).toBe('queued 6 games; byes: none');
    const round1 = await queued();
    // the ineligible team is out; everyone plays their latest version; seats alternate inside a series
    expect(new Set(round1.flatMap((g) => g.subs))).toEqual(new Set(['Ada', 'Grace', 'Linus', 'Barbara'].map((n) => latest.get(n))));
    expect(round1.map((g) => g.subs.map((s) => name.get(s)).join('v'))).toEqual(['AdavGrace', 'GracevAda', 'AdavGrace', 'LinusvBarbara', 'BarbaravLinus', 'LinusvBarbara']);
    expect(await sched()).toBe('round in progress: 2 series not decided yet');
    await play((subs) => (subs.includes(latest.get('Ada')!) ? latest.get('Ada')! : latest.get('Barbara')!));
    expect(await sched()).toBe('queued 3 games; byes: none');
    expect((await queued()).map((g) => g.subs.map((s) => name.get(s)).join('v'))).toEqual(['AdavBarbara', 'BarbaravAda', 'AdavBarbara']);
    await play(() => latest.get('Barbara')!);
    expect(await sched()).toBe('tournament over: champion Barbara');
    expect(table(await cli(url, 'ophelia', ['standings', '--tournament', 'cup']))).toEqual([
      ['Barbara', 6, 6, 0],
      ['Ada', 6, 3, 3],
      ['Grace', 3, 0, 3],
      ['Linus', 3, 0, 3],
    ]);
  }, 90_000);
});
