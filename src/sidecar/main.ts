// Entry point of the Cerveau capacity sidecar: environment → sidecar → signals.
import { createLogger } from '../shared/log.js';
import { exitOnListenError } from '../shared/listen.js';
import { stopOnSignals } from '../shared/stop-on-signals.js';
import { loadSidecarEnv, SidecarConfigError } from './config.js';
import { createSidecar } from './sidecar.js';

async function main(): Promise<void> {
  let env;
  try {
    env = loadSidecarEnv();
  } catch (err) {
    if (err instanceof SidecarConfigError) {
      for (const problem of err.problems) process.stderr.write(`sidecar: ${problem}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger({ level: env.LOG_LEVEL, base: { component: 'sidecar' } });
  const sidecar = createSidecar({
    cerveauUrl: env.CERVEAU_URL,
    maxSessions: env.MAX_SESSIONS,
    port: env.SIDECAR_PORT,
    host: env.SIDECAR_HOST,
    sessionDeadlineMs: env.SESSION_DEADLINE,
    crashGraceMs: env.CRASH_GRACE,
    joinDeadlineMs: env.JOIN_DEADLINE,
    statusPollIntervalMs: env.STATUS_POLL_INTERVAL,
    statusTimeoutMs: env.STATUS_TIMEOUT_MS,
    statusConcurrency: env.STATUS_CONCURRENCY,
    drainToken: env.ARBITER_SIDECAR_TOKEN,
    cerveauProbeIntervalMs: env.CERVEAU_PROBE_INTERVAL,
    cerveauProbeTimeoutMs: env.CERVEAU_PROBE_TIMEOUT_MS,
    logger,
  });
  try {
    await sidecar.listen();
  } catch (err) {
    exitOnListenError('sidecar', err);
  }
  stopOnSignals({ close: () => sidecar.close(), logger, messages: { stopping: 'stopping', failed: 'stop failed' }, again: 'default' });
}

main().catch((err: unknown) => {
  process.stderr.write(`sidecar: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
