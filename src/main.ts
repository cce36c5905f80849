// Composition root: config → backend → manager → API → signals → close(). Wiring only.
import { fullGc } from './shared/v8-heuristics.js';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { createApp } from './api/app.js';
import { ConfigError, loadConfig, type Config } from './config/config.js';
import { createLogger, type Logger } from './shared/log.js';
import type { Backend } from './manager/backend.js';
import { systemClock } from './shared/clock.js';
import { createManager } from './manager/create-manager.js';
import { createManagerMetrics } from './manager/metrics.js';
import { HttpProber, type HealthProber } from './manager/prober.js';
import { WorkerProber } from './manager/worker-prober.js';
import { bornPrototypes } from './api/born-prototypes.js';
import { pollWorkerLimits } from './manager/poll-worker-memory.js';
import { registerProcessMetrics } from './process-metrics.js';
import { exitOnListenError, listenOn } from './shared/listen.js';
import { routeWarnings } from './shared/warnings.js';
import { startFleetSummary, urlsOf } from './manager/fleet-summary.js';

/** package.json's version; npm start also passes it as npm_package_version. */
const BUILD_VERSION = '0.1.0';

interface BackendParts {
  backend: Backend;
  /** Local mode's reaper, closed after the backend has stopped its children. */
  reaper: { close(): Promise<void> } | null;
}

async function createBackend(config: Config, logger: Logger, registry: Registry): Promise<BackendParts> {
  if (config.backend === 'ecs') {
    const { EcsBackend } = await import('./aws/ecs-backend.js');
    return { backend: new EcsBackend({ ecs: config.ecs, fleetId: config.fleetId, ports: config.ports, logger, clock: systemClock, registry }), reaper: null };
  }
  const { LocalBackend } = await import('./local/local-backend.js');
  const { ChildReaper, REAPER_LABELS } = await import('./shared/child-reaper.js');
  const reaper = await ChildReaper.start({ graceMs: config.local.stopGraceMs, logger, label: REAPER_LABELS.manager });
  const options = {
    capacity: config.scaling.capacity,
    sessionMs: config.local.demoSessionMs,
    stopGraceMs: config.local.stopGraceMs,
    passEnv: config.local.passEnv,
    logger,
    clock: systemClock,
    reaper,
  };
  if (config.local.cerveau) return { backend: new LocalBackend({ ...options, cerveau: config.local.cerveau }), reaper };
  return { backend: new LocalBackend(config.local.command ? { ...options, command: config.local.command } : options), reaper };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`arbiter: refusing to start, ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger({ level: config.logLevel, base: { service: 'arbiter' }, ...(config.logFormat ? { format: config.logFormat } : {}) });
  // Process warnings (the AWS SDK's Node-version notice among them) become one log line each, once per process.
  routeWarnings(logger);
  // Bind before anything starts (backup, reaper, gameservers): a manager without its API must not scale a fleet.
  // Until the app is ready, requests get a 503 that says so.
  const prototypes = bornPrototypes();
  const server = createServer(prototypes.serverOptions, (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"manager starting"}');
  });
  try {
    await listenOn(server, config.port, config.host);
  } catch (err) {
    exitOnListenError('arbiter', err);
  }
  const cleanups: Array<{ name: string; run: () => Promise<unknown> }> = [];

  let backupClose: (() => Promise<void>) | null = null;
  if (config.backend === 'local' && config.backup) {
    const { ensureBackupGameserver } = await import('./local/backup-gameserver.js');
    const handle = await ensureBackupGameserver(`${config.backup.host}:${config.backup.port}`, {
      capacity: config.scaling.capacity,
      sessionMs: config.local.demoSessionMs,
      webPort: config.backup.webPort,
      logger,
    });
    if (handle.started) backupClose = () => handle.close();
    if (!handle.usable) config = { ...config, backup: null };
  }

  // One registry for the manager and its backend: /metrics serves both.
  const metrics = createManagerMetrics();
  const { backend, reaper } = await createBackend(config, logger, metrics.registry);
  const proberOptions = { timeoutMs: config.health.timeoutMs, drainToken: config.security.sidecarToken };
  const prober: HealthProber = config.health.pollWorker
    ? new WorkerProber({ ...proberOptions, logger, registry: metrics.registry, resourceLimits: pollWorkerLimits(config.scaling.maxServers) })
    : new HttpProber(proberOptions);
  // Start-up garbage goes at once (see fullGc) rather than when V8 gets to it: the backend's parsed pages once the
  // state is rebuilt (before the first poll round adds its own), then what that round left once the manager is ready.
  // At 10,000 servers the two lower the start-up high-water mark of RSS from about 295 MB to under 240 MB.
  const collect = (phase: 'rebuilt' | 'ready') => (): void => {
    logger.info('start-up garbage collected', { phase, ms: Math.round(fullGc()), heapUsedMb: Math.round(process.memoryUsage().heapUsed / 1e6) });
  };
  const manager = createManager({
    config,
    backend,
    prober,
    clock: systemClock,
    logger,
    metrics,
    names: { prefix: config.fleetId, words: config.proxy.words },
    onRebuilt: collect('rebuilt'),
    onReady: collect('ready'),
  });
  registerProcessMetrics(manager.metrics.registry, { version: process.env.npm_package_version ?? BUILD_VERSION });
  const app = createApp({
    manager,
    logger,
    security: config.security,
    registry: manager.metrics.registry,
    backupWebPort: config.backup?.webPort,
    proxy: { prefix: config.fleetId, ...config.proxy },
  });
  prototypes.adopt(app);
  server.removeAllListeners('request');
  server.on('request', app);
  logger.info('manager listening', {
    ...urlsOf(config.host, config.port),
    host: config.host,
    port: config.port,
    backend: config.backend,
    fleetId: config.fleetId,
    upscaleMargin: config.scaling.upscaleMargin,
    downscaleMargin: config.scaling.downscaleMargin,
    capacity: config.scaling.capacity,
    backup: config.backup ? `${config.backup.host}:${config.backup.port}` : null,
    pollWorker: config.health.pollWorker,
  });

  cleanups.push(
    { name: 'http', run: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }) },
    { name: 'manager', run: () => manager.close() },
    { name: 'backend', run: () => backend.close() },
    ...(reaper ? [{ name: 'reaper', run: () => reaper.close() }] : []),
    { name: 'prober', run: () => prober.close() },
  );
  if (backupClose) cleanups.push({ name: 'backup', run: backupClose });

  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info('shutting down', { signal });
    for (const step of cleanups) {
      try {
        await step.run();
      } catch (err) {
        logger.error('shutdown step failed', { step: step.name, error: (err as Error).message });
      }
    }
    logger.info('stopped', {});
    process.exit(0);
  };
  const summary = startFleetSummary({ manager, logger });
  cleanups.unshift({ name: 'summary', run: async () => summary.stop() });
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  await manager.start();

  if (config.metricsLogIntervalMs > 0) {
    const { startMetricsLine } = await import('./manager/metrics-line.js');
    const line = await startMetricsLine(
      { registry: manager.metrics.registry, status: () => manager.status(), rotation: () => manager.rotation() },
      { fleetId: config.fleetId, intervalMs: config.metricsLogIntervalMs, logger, clock: systemClock },
    );
    cleanups.unshift({ name: 'metrics line', run: async () => line.close() });
  }

  const rules = config.scaling.minSchedule ?? [];
  if (rules.length > 0) {
    const { startMinSchedule } = await import('./manager/min-schedule.js');
    const schedule = startMinSchedule(rules, config.scaling.scheduleTimezone, (rule, how) => {
      manager.setMinServers(rule.minServers, `schedule ${rule.cron} (${how})`);
    });
    cleanups.unshift({ name: 'schedule', run: () => schedule.stop() });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`arbiter: fatal: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
