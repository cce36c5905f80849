#!/usr/bin/env node
// arbiter-arena: the worker (default), `migrate`, `schedule`, `standings`, and `--demo`. Composition root only.
import { hostname, tmpdir } from 'node:os';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { createLogger } from '../log.js';
import { ChildReaper } from '../runner/index.js';
import { ArenaConfigError, loadArenaConfig, type ArenaConfig } from './config.js';
import { migrate } from './db/migrate.js';
import { createPool, createQueue } from './db/pool.js';
import { formatStandings, standings } from './db/tournament.js';
import { createLiveView } from './live-view.js';
import { createLogStore } from './log-store/index.js';
import { createArenaMetrics, serveMetrics } from './metrics.js';
import { createPlayerPreparer } from './players.js';
import { runSchedule, SCHEDULE_USAGE } from './schedule-command.js';
import { ArenaWorker } from './worker.js';

export const USAGE = `usage: arbiter-arena [--demo]            run a worker (configured by the environment; see docs/arena.md)
       arbiter-arena migrate             create or upgrade Arbiter's tables, then exit
       ${SCHEDULE_USAGE}
       arbiter-arena standings [--tournament NAME]`;

export async function runWorker(config: ArenaConfig, opts: { tty?: boolean; onReady?: () => void } = {}): Promise<number> {
  const owner = config.ARENA_WORKER_ID ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const logger = createLogger({ level: config.LOG_LEVEL, base: { component: 'arena', owner } });
  const pool = createPool(config.DATABASE_URL, config.ARENA_PARALLEL * 2 + 2, logger);
  await migrate(pool, { ophelia: config.ARENA_SCHEMA === 'ophelia' });
  const queue = createQueue(config.ARENA_SCHEMA, pool, { leaseSeconds: config.LEASE_SECONDS, maxAttempts: config.MAX_ATTEMPTS, game: config.GAME_NAME });
  const store = createLogStore(config.LOG_STORE);
  const metrics = createArenaMetrics();
  const metricsServer = config.ARENA_METRICS_PORT !== undefined ? await serveMetrics(metrics, config.ARENA_METRICS_PORT) : null;
  const reaper = await ChildReaper.start({ graceMs: 2000, logger });
  const workDir = join(tmpdir(), `arbiter-arena-${process.pid}`);
  mkdirSync(workDir, { recursive: true });
  const preparePlayer = createPlayerPreparer({
    pool,
    queue,
    store,
    settings: { cacheDir: config.ARENA_CACHE_DIR, cpus: config.CONTAINER_CPU, ram: config.CONTAINER_RAM, matchTimeoutSeconds: config.MATCH_TIMEOUT },
  });
  let view: ReturnType<typeof createLiveView> | null = null;
  const worker = new ArenaWorker({
    queue,
    store,
    owner,
    parallel: config.ARENA_PARALLEL,
    leaseSeconds: config.LEASE_SECONDS,
    matchTimeoutMs: config.MATCH_TIMEOUT * 1000,
    pollMs: config.ARENA_POLL_SECONDS * 1000,
    graceMs: config.ARENA_GRACE_SECONDS * 1000,
    managerUrl: config.ARBITER_URL,
    token: config.ARBITER_TOKEN,
    workDir,
    preparePlayer,
    reaper,
    logger: opts.tty ? createLogger({ level: 'error', base: { component: 'arena', owner } }) : logger,
    metrics,
    onChange: () => view?.update(),
  });
  if (opts.tty) view = createLiveView(worker, process.stdout);
  const stopped = new Promise<void>((resolve) => {
    const onSignal = (signal: string): void => {
      logger.info('stopping: no new claims, running matches get the grace period', { signal, graceSeconds: config.ARENA_GRACE_SECONDS });
      void worker.stop().then(resolve);
    };
    process.once('SIGTERM', () => onSignal('SIGTERM'));
    process.once('SIGINT', () => onSignal('SIGINT'));
  });
  worker.start();
  logger.info('arena worker started', { schema: config.ARENA_SCHEMA, parallel: config.ARENA_PARALLEL, manager: config.ARBITER_URL });
  opts.onReady?.();
  await stopped;
  view?.close();
  await reaper.close().catch(() => undefined);
  metricsServer?.close();
  await pool.end().catch(() => undefined);
  logger.info('arena worker stopped', { ...worker.totals });
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
