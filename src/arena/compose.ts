// Wires a worker from its configuration: pool, migrations, queue, log store, metrics, reaper, live view.
import { mkdirSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { createLogger, type Logger } from '../shared/log.js';
import { ChildReaper, createArbiterClient, REAPER_LABELS } from '../runner/index.js';
import type { ArenaConfig } from './config.js';
import { DemandAnnouncer } from './demand.js';
import { migrate } from './db/migrate.js';
import { createPool, createQueue } from './db/pool.js';
import { createLiveView, type LiveView } from './live-view.js';
import { createLogStore } from './log-store/index.js';
import { createArenaMetrics, serveMetrics, type ArenaMetrics } from './metrics.js';
import { createPlayerPreparer } from './players.js';
import { ArenaWorker } from './worker.js';

export interface Arena {
  worker: ArenaWorker;
  logger: Logger;
  metrics: ArenaMetrics;
  metricsServer: Server | null;
  /** Null without ARBITER_HEARTBEAT_TOKEN: the queue is then not announced to the manager. */
  demand: DemandAnnouncer | null;
  /** Starts claiming and announcing. */
  start(): void;
  /** SIGTERM semantics: stop claiming, grace, give back; then release everything. Idempotent. */
  close(): Promise<void>;
}

export async function createArena(config: ArenaConfig, opts: { tty?: boolean; logger?: Logger } = {}): Promise<Arena> {
  const owner = config.ARENA_WORKER_ID ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const logger = opts.logger ?? createLogger({ level: config.LOG_LEVEL, base: { component: 'arena', owner } });
  const pool = createPool(config.DATABASE_URL, config.ARENA_PARALLEL * 2 + 2, logger);
  // a database that is restarting when the worker starts is waited for (a minute), not a reason to exit
  for (let tries = 1; ; tries++) {
    try {
      await migrate(pool, { ophelia: config.ARENA_SCHEMA === 'ophelia' });
      break;
    } catch (err) {
      if (tries >= 60) throw err;
      logger.warn('database not ready; retrying', { error: (err as Error).message, tries });
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  const queue = createQueue(config.ARENA_SCHEMA, pool, { leaseSeconds: config.LEASE_SECONDS, maxAttempts: config.MAX_ATTEMPTS, game: config.GAME_NAME });
  const store = createLogStore(config.LOG_STORE);
  const metrics = createArenaMetrics();
  const metricsServer = config.ARENA_METRICS_PORT !== undefined ? await serveMetrics(metrics, config.ARENA_METRICS_PORT) : null;
  // a worker killed outright (SIGKILL) leaves no bot behind: the reaper outlives it just long enough to stop them
  const reaper = await ChildReaper.start({ graceMs: 2000, logger, label: REAPER_LABELS.arena });
  const workDir = join(tmpdir(), `arbiter-arena-${process.pid}-${randomBytes(3).toString('hex')}`);
  mkdirSync(workDir, { recursive: true });
  const preparePlayer = createPlayerPreparer({
    pool,
    queue,
    store,
    reaper,
    settings: { cacheDir: config.ARENA_CACHE_DIR, cpus: config.CONTAINER_CPU, ram: config.CONTAINER_RAM, matchTimeoutSeconds: config.MATCH_TIMEOUT },
  });
  let view: LiveView | null = null;
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
    // on a terminal the live lines replace the info logs; warnings and errors still print
    logger: opts.tty ? createLogger({ level: 'warn', base: { component: 'arena', owner } }) : logger,
    metrics,
    onChange: () => view?.update(),
  });
  if (opts.tty) view = createLiveView(worker, process.stdout);
  const demandClient = createArbiterClient({ managerUrl: config.ARBITER_URL, token: config.ARBITER_HEARTBEAT_TOKEN, requestTimeoutMs: 5000 });
  const demand = config.ARBITER_HEARTBEAT_TOKEN
    ? new DemandAnnouncer({
        source: config.ARENA_DEMAND_SOURCE,
        refreshMs: config.ARENA_DEMAND_SECONDS * 1000,
        depth: () => queue.depth(),
        announce: (signal, o) => demandClient.announceDemand(signal, o),
        logger,
      })
    : null;
  if (!demand) logger.info('queue not announced to the manager as demand: ARBITER_HEARTBEAT_TOKEN is unset', {});
  let closing: Promise<void> | null = null;
  return {
    worker,
    logger,
    metrics,
    metricsServer,
    demand,
    start() {
      worker.start();
      demand?.start();
    },
    close: () =>
      (closing ??= (async () => {
        // a stopping worker asks for no more seats; its running matches hold theirs already
        await demand?.stop().catch((err: unknown) => logger.warn('demand signal not cleared', { error: (err as Error).message }));
        await worker.stop();
        view?.close();
        for (const step of [() => reaper.close(), () => pool.end(), async () => metricsServer?.close(), async () => rmSync(workDir, { recursive: true, force: true })]) {
          try {
            await step();
          } catch (err) {
            logger.warn('arena cleanup step failed', { error: (err as Error).message });
          }
        }
        logger.info('arena worker stopped', { ...worker.totals });
      })()),
  };
}
