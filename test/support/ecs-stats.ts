// What an ECS backend counted, read from the Prometheus registry it was given: the backend's counters live
// there (and on /metrics), so tests read them where operators do. Fixtures record each backend's registry.
import type { Registry } from 'prom-client';
import type { EcsBackend } from '../../src/aws/ecs-backend.js';

export interface EcsStats {
  launched: number;
  launchFailures: number;
  failuresByReason: Record<string, number>;
  backoffRejections: number;
  stopped: number;
  instancesTerminated: Record<string, number>;
}

const registries = new WeakMap<EcsBackend, Registry>();

/** Remembers the registry a fixture gave `backend`, for ecsStats(). */
export function recordRegistry(backend: EcsBackend, registry: Registry): void {
  registries.set(backend, registry);
}

async function values(registry: Registry, name: string): Promise<Array<{ labels: Partial<Record<string, string | number>>; value: number }>> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return [];
  return (await metric.get()).values;
}

async function total(registry: Registry, name: string): Promise<number> {
  return (await values(registry, name)).reduce((sum, v) => sum + v.value, 0);
}

/** Non-zero counts by the value of `label`. */
async function byLabel(registry: Registry, name: string, label: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const v of await values(registry, name)) if (v.value > 0) out[String(v.labels[label])] = v.value;
  return out;
}

export async function ecsStats(backend: EcsBackend): Promise<EcsStats> {
  const registry = registries.get(backend);
  if (!registry) throw new Error('ecsStats: this backend was not built by a fixture that records its registry');
  const failuresByReason = await byLabel(registry, 'arbiter_ecs_launch_failures_total', 'reason');
  return {
    launched: await total(registry, 'arbiter_ecs_servers_launched_total'),
    launchFailures: Object.values(failuresByReason).reduce((a, b) => a + b, 0),
    failuresByReason,
    backoffRejections: await total(registry, 'arbiter_ecs_launch_backoff_rejections_total'),
    stopped: await total(registry, 'arbiter_ecs_tasks_stopped_total'),
    instancesTerminated: await byLabel(registry, 'arbiter_ec2_instances_terminated_total', 'reason'),
  };
}
