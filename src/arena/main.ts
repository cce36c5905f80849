#!/usr/bin/env node
// arbiter-arena: the worker (default), `migrate`, `schedule`, `standings`, and `--demo`. Composition root only.
import { parseArgs } from 'node:util';
import { ArenaConfigError, loadArenaConfig, type ArenaConfig } from './config.js';
import { migrate } from './db/migrate.js';
import { createPool } from './db/pool.js';
import { formatStandings, standings } from './db/tournament.js';
import { createArena } from './compose.js';
import { runSchedule, SCHEDULE_USAGE } from './schedule-command.js';

export const USAGE = `usage: arbiter-arena [--demo]            run a worker (configured by the environment; see docs/arena.md)
       arbiter-arena migrate             create or upgrade Arbiter's tables, then exit
       ${SCHEDULE_USAGE}
       arbiter-arena standings [--tournament NAME]`;

export async function runWorker(config: ArenaConfig, opts: { tty?: boolean } = {}): Promise<number> {
  const arena = await createArena(config, { tty: opts.tty });
  const stopped = new Promise<void>((resolve) => {
    const onSignal = (signal: string): void => {
      arena.logger.info('stopping: no new claims, running matches get the grace period', { signal, graceSeconds: config.ARENA_GRACE_SECONDS });
      void arena.close().then(resolve);
    };
    process.once('SIGTERM', () => onSignal('SIGTERM'));
    process.once('SIGINT', () => onSignal('SIGINT'));
  });
  arena.start();
  arena.logger.info('arena worker started', { schema: config.ARENA_SCHEMA, parallel: config.ARENA_PARALLEL, manager: config.ARBITER_URL });
  await stopped;
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    options: { demo: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, tournament: { type: 'string' } },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.demo) {
    const { runDemo } = await import('./demo.js');
    return runDemo();
  }
  const command = positionals[0] ?? 'work';
  const config = loadArenaConfig(process.env);
  if (command === 'work') return runWorker(config, { tty: process.stdout.isTTY === true });
  if (command === 'schedule') return runSchedule(config, argv.slice(1));
  const pool = createPool(config.DATABASE_URL, 2);
  try {
    await migrate(pool, { ophelia: config.ARENA_SCHEMA === 'ophelia' });
    if (command === 'migrate') return 0;
    if (command === 'standings') {
      process.stdout.write(`${formatStandings(await standings(pool, config.ARENA_SCHEMA, typeof values.tournament === 'string' ? values.tournament : undefined))}\n`);
      return 0;
    }
  } finally {
    await pool.end();
  }
  process.stderr.write(`unknown command ${command}\n${USAGE}\n`);
  return 64;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ArenaConfigError) process.stderr.write(`${err.message}\n`);
    else process.stderr.write(`arbiter-arena: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(err instanceof ArenaConfigError ? 78 : 1);
  },
);
