// `arbiter-arena schedule`: queues a round-robin, or the next round of an N-elimination, in either schema.
import { parseArgs } from 'node:util';
import type { ArenaConfig } from './config.js';
import { migrate } from './db/migrate.js';
import { createPool } from './db/pool.js';
import { insertGames, opheliaEntrants, seriesResults } from './db/tournament.js';
import { checkTemplate } from '../runner/command-template.js';
import { planEliminationRound, planRoundRobin, type Entrant } from './scheduler.js';

export const SCHEDULE_USAGE =
  'arbiter-arena schedule --tournament NAME [--format round-robin|elimination] [--best-of N] [--lives N] [--player NAME=COMMAND]...';

export class ScheduleUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScheduleUsageError';
  }
}

export interface ScheduleArgs {
  tournament: string;
  format: 'round-robin' | 'elimination';
  bestOf: number;
  lives: number;
  players: Array<{ name: string; command: string }>;
}

export function parseScheduleArgs(argv: string[]): ScheduleArgs {
  const { values } = parseArgs({
    args: argv,
    options: { tournament: { type: 'string' }, format: { type: 'string', default: 'round-robin' }, 'best-of': { type: 'string', default: '1' }, lives: { type: 'string', default: '1' }, player: { type: 'string', multiple: true } },
  });
  const tournament = values.tournament ?? '';
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(tournament)) throw new ScheduleUsageError('--tournament NAME is required (letters, digits, _ . -)');
  if (values.format !== 'round-robin' && values.format !== 'elimination') throw new ScheduleUsageError('--format must be round-robin or elimination');
  const bestOf = Number(values['best-of']);
  const lives = Number(values.lives);
  if (!Number.isInteger(bestOf) || bestOf < 1 || bestOf > 99 || bestOf % 2 === 0) throw new ScheduleUsageError('--best-of must be an odd number from 1 to 99');
  if (!Number.isInteger(lives) || lives < 1 || lives > 10) throw new ScheduleUsageError('--lives must be 1 to 10');
  const players = (values.player ?? []).map((p) => {
    const at = p.indexOf('=');
    const name = p.slice(0, at);
    if (at < 1 || !/^[A-Za-z0-9_.-]{1,64}$/.test(name)) throw new ScheduleUsageError(`--player ${p} must be NAME=COMMAND`);
    checkTemplate(p.slice(at + 1));
    return { name, command: p.slice(at + 1) };
  });
  return { tournament, format: values.format, bestOf, lives, players };
}

export async function runSchedule(config: ArenaConfig, argv: string[]): Promise<number> {
  let args: ScheduleArgs;
  try {
    args = parseScheduleArgs(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\nusage: ${SCHEDULE_USAGE}\n`);
    return 64;
  }
  const pool = createPool(config.DATABASE_URL, 2);
  try {
    await migrate(pool, { ophelia: config.ARENA_SCHEMA === 'ophelia' });
    const out = await scheduleTournament(pool, config.ARENA_SCHEMA, config.GAME_NAME, args);
    process.stdout.write(`${out}\n`);
    return 0;
  } finally {
    await pool.end();
  }
}

export async function scheduleTournament(pool: import('pg').Pool, schema: 'arbiter' | 'ophelia', game: string, args: ScheduleArgs): Promise<string> {
  const entrants: Entrant[] = schema === 'ophelia' ? await opheliaEntrants(pool) : args.players.map((p) => ({ id: p.name, name: p.name }));
  if (entrants.length < 2) throw new ScheduleUsageError(`a tournament needs at least 2 entrants, found ${entrants.length}`);
  const commands = new Map(args.players.map((p) => [p.name, p.command]));
  const base = { tournament: args.tournament, kind: args.format, game, commands };
  if (args.format === 'round-robin') {
    const ids = await insertGames(pool, schema, base, planRoundRobin(entrants, args.bestOf));
    return `queued ${ids.length} games for ${entrants.length} entrants`;
  }
  const plan = planEliminationRound(entrants, await seriesResults(pool, schema, args.tournament, args.bestOf), args.lives, args.bestOf);
  if (plan.kind === 'waiting') return `round in progress: ${plan.openSeries} series not decided yet`;
  if (plan.kind === 'champion') return `tournament over: champion ${plan.champion?.name ?? 'none'}`;
  const ids = await insertGames(pool, schema, base, plan.games);
  return `queued ${ids.length} games; byes: ${plan.byes.map((b) => b.name).join(', ') || 'none'}`;
}
