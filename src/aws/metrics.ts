// Prometheus counters of the ECS backend, on the registry the manager serves at /metrics. The manager counts
// what launch() reports; these count what only the backend sees: the tasks it places on instances after they
// boot (EC2 launch-template mode), the instances it terminates, and the stops ECS accepted.
import { Counter, type Registry } from 'prom-client';
import type { LaunchFailure } from '../manager/backend.js';
import { TERMINATE_REASONS, type TerminateReason } from './instance-plan.js';

export interface EcsMetrics {
  launched: Counter;
  launchFailures: Counter<'reason'>;
  backoffRejections: Counter;
  stopped: Counter;
  recordFailures(failures: readonly LaunchFailure[]): void;
}

/** ECS's documented RunTask failure reasons, and this backend's own. */
const KNOWN_LAUNCH_FAILURES = ['RESOURCE:MEMORY', 'RESOURCE:CPU', 'RESOURCE:PORTS', 'AGENT', 'MISSING', 'INSTANCE_CAPACITY'];

export function createEcsMetrics(registry: Registry): EcsMetrics {
  const launchFailures = new Counter({
    name: 'arbiter_ecs_launch_failures_total',
    help: 'Servers ECS or EC2 would not start, by reason; unlike arbiter_launch_failures_total it counts the tasks placed on instances after they boot and leaves back-off refusals out.',
    labelNames: ['reason'],
    registers: [registry],
  });
  // Every failure counter starts with its known label values at 0, as the manager's do.
  for (const reason of KNOWN_LAUNCH_FAILURES) launchFailures.inc({ reason }, 0);
  return {
    launched: new Counter({
      name: 'arbiter_ecs_servers_launched_total',
      help: 'Servers the ECS backend started: tasks, or instances booting for them in EC2 launch-template mode.',
      registers: [registry],
    }),
    launchFailures,
    backoffRejections: new Counter({
      name: 'arbiter_ecs_launch_backoff_rejections_total',
      help: 'Servers the ECS backend refused to launch while launches were backing off after failures.',
      registers: [registry],
    }),
    stopped: new Counter({ name: 'arbiter_ecs_tasks_stopped_total', help: 'Tasks ECS accepted a StopTask for.', registers: [registry] }),
    recordFailures(failures) {
      for (const f of failures) launchFailures.inc({ reason: f.reason });
    },
  };
}

export type InstancesTerminated = Counter<'reason'>;

/** EC2 launch-template mode only: every reason at 0 from the first scrape, so an alert sees the first one. */
export function createInstanceMetrics(registry: Registry): InstancesTerminated {
  const counter = new Counter({
    name: 'arbiter_ec2_instances_terminated_total',
    help: 'EC2 instances of the fleet terminated, by reason (task_stopped, idle, join_deadline, placement_failed, server_stopped).',
    labelNames: ['reason'],
    registers: [registry],
  });
  for (const reason of TERMINATE_REASONS) counter.inc({ reason } satisfies { reason: TerminateReason }, 0);
  return counter;
}
