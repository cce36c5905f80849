// A periodic log line with the few numbers the deployment's CloudWatch alarms watch. The stack turns its
// fields into CloudWatch metrics with log metric filters (infra/constructs/manager-alarms.ts): that works
// with the awslogs driver the task already uses, in every region, with no agent or sidecar beside the
// manager and no CloudWatch permission in its role. Off by default (METRICS_LOG_INTERVAL=0): a terminal
// has /metrics and the dashboard.
import type { Registry } from 'prom-client';
import type { Logger } from '../shared/log.js';
import type { Clock } from '../shared/clock.js';

/** The line's fixed message; the metric filters match on it. */
export const METRICS_LINE_MESSAGE = 'fleet metrics';

/** Counter totals the line reports as increases since the previous line. */
export interface CounterTotals {
  backupAllocations: number;
  launchFailures: number;
  startFailures: number;
}

export interface MetricsLineFields extends CounterTotals {
  fleetId: string;
  /** Servers that allocations can be given to now. */
  inRotation: number;
  /** 1 while the reconcile loop has not completed a tick for longer than /healthz allows. */
  tickStale: 0 | 1;
  /** Seconds since the last completed tick (since start, before the first one). */
  tickAgeSeconds: number;
}

export interface MetricsLineSource {
  registry: Registry;
  status(): { live: boolean; lastTickAt: string | null };
  rotation(): readonly unknown[];
}

export interface MetricsLineOptions {
  fleetId: string;
  intervalMs: number;
  logger: Logger;
  clock: Clock;
}

/** Pure: the fields of one line from the totals now and at the previous line. A counter never goes back,
 *  but a negative step (a registry reset) is reported as 0 rather than as a negative count. */
export function metricsLineFields(
  fleetId: string,
  current: CounterTotals,
  previous: CounterTotals,
  status: { live: boolean; inRotation: number; tickAgeMs: number },
): MetricsLineFields {
  const step = (k: keyof CounterTotals) => Math.max(0, current[k] - previous[k]);
  return {
    fleetId,
    inRotation: status.inRotation,
    backupAllocations: step('backupAllocations'),
    launchFailures: step('launchFailures'),
    startFailures: step('startFailures'),
    tickStale: status.live ? 0 : 1,
    tickAgeSeconds: Math.max(0, Math.round(status.tickAgeMs / 1000)),
  };
}

async function sumOf(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want))
    .reduce((total, v) => total + v.value, 0);
}

export async function readCounterTotals(registry: Registry): Promise<CounterTotals> {
  return {
    backupAllocations: await sumOf(registry, 'arbiter_allocations_total', { result: 'backup' }),
    launchFailures: await sumOf(registry, 'arbiter_launch_failures_total'),
    startFailures: await sumOf(registry, 'arbiter_start_failures_total'),
  };
}

export interface MetricsLineHandle {
  /** Writes one line now (the timer calls this; tests call it directly). */
  emit(): Promise<MetricsLineFields>;
  close(): void;
}

/** Starts the timer. It re-arms after each line, so lines never overlap, and `close()` clears it. */
export async function startMetricsLine(source: MetricsLineSource, options: MetricsLineOptions): Promise<MetricsLineHandle> {
  const startedAt = options.clock.now();
  let previous = await readCounterTotals(source.registry);
  let timer: NodeJS.Timeout | null = null;
  let closed = false;

  const emit = async (): Promise<MetricsLineFields> => {
    const current = await readCounterTotals(source.registry);
    const status = source.status();
    const lastTick = status.lastTickAt === null ? startedAt : Date.parse(status.lastTickAt);
    const fields = metricsLineFields(options.fleetId, current, previous, {
      live: status.live,
      inRotation: source.rotation().length,
      tickAgeMs: options.clock.now() - lastTick,
    });
    previous = current;
    options.logger.info(METRICS_LINE_MESSAGE, fields);
    return fields;
  };
  const arm = () => {
    if (closed) return;
    timer = setTimeout(() => {
      emit()
        .catch((err: unknown) => options.logger.warn('fleet metrics line failed', { error: (err as Error).message }))
        .finally(arm);
    }, options.intervalMs);
    timer.unref();
  };
  if (options.intervalMs > 0) arm();
  return {
    emit,
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
