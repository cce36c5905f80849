// Arena e2e helpers: an ophelia database seeded with demo-bot submissions, and arbiter-arena worker processes.
import { mkdtempSync, writeFileSync, chmodSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { demoBotDir, zipDirectory } from '../../src/arena/bots/index.js';
import { migrate } from '../../src/arena/db/migrate.js';
import { OPHELIA_DDL, SEED_TEAM_SQL } from '../../src/arena/db/ophelia-ddl.js';
import { startNode, type RunningProcess } from './processes.js';

export async function demoZip(): Promise<Buffer> {
  return zipDirectory(demoBotDir());
}

/** The demo bot with a Makefile that fails. */
export async function brokenBuildZip(): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'arena-broken-'));
  cpSync(demoBotDir(), dir, { recursive: true });
  writeFileSync(join(dir, 'Makefile'), 'all:\n\t@echo "compiling the bot"\n\t@echo "error: syntax error in bot.c" >&2\n\t@exit 2\n');
  chmodSync(join(dir, 'run'), 0o755);
  return zipDirectory(dir);
}

/** The demo bot with a build that takes `seconds` (a `sleep` under make). */
export async function slowBuildZip(seconds: number): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'arena-slow-'));
  cpSync(demoBotDir(), dir, { recursive: true });
  writeFileSync(join(dir, 'Makefile'), `all:\n\t@echo "building slowly"\n\tsleep ${seconds}\n`);
  chmodSync(join(dir, 'run'), 0o755);
  return zipDirectory(dir);
}

/** ophelia's tables plus Arbiter's migrations; teams with one submission each; returns submission ids by team. */
export async function seedOphelia(pool: pg.Pool, teams: Array<{ name: string; zip: Buffer }>): Promise<Map<string, number>> {
  await pool.query(OPHELIA_DDL);
  await migrate(pool, { ophelia: true });
  const ids = new Map<string, number>();
  for (const t of teams) {
    const user = (await pool.query<{ id: number }>(SEED_TEAM_SQL.user, [t.name])).rows[0]!.id;
    const team = (await pool.query<{ id: number }>(SEED_TEAM_SQL.team, [t.name, user])).rows[0]!.id;
    ids.set(t.name, (await pool.query<{ id: number }>(SEED_TEAM_SQL.submission, [team, 1, t.zip])).rows[0]!.id);
  }
  return ids;
}

/** Queues `n` games between two submissions, alternating seats; returns the game ids. */
export async function queueGames(pool: pg.Pool, a: number, b: number, n: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const id = (await pool.query<{ id: number }>(`INSERT INTO games (status) VALUES ('queued') RETURNING id`)).rows[0]!.id;
    for (const s of i % 2 === 0 ? [a, b] : [b, a]) await pool.query('INSERT INTO games_submissions (game_id, submission_id) VALUES ($1, $2)', [id, s]);
    ids.push(id);
  }
  return ids;
}

export function startWorker(env: Record<string, string>): RunningProcess {
  return startNode('dist/src/arena/main.js', { ARENA_SCHEMA: 'ophelia', GAME_NAME: 'Chess', LOG_LEVEL: 'info', ARENA_POLL_SECONDS: '0.2', ...env });
}

export async function statusCounts(pool: pg.Pool): Promise<Record<string, number>> {
  const rows = (await pool.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM games GROUP BY status')).rows;
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}
