// RunTask in calls of at most ten tasks (§4), with every failures[] entry reported.
import type { ECSClient, PlacementConstraint, RunTaskCommandInput, Task } from '@aws-sdk/client-ecs';
import { RunTaskCommand } from './sdk.js';
import type { EcsConfig } from './ecs-options.js';
import type { Logger } from '../shared/log.js';
import type { LaunchFailure } from '../manager/backend.js';
import { AwsCallError, wrapAwsError } from './errors.js';
import type { RateLimits } from './rate-limits.js';
import { FLEET_TAG, NAME_TAG } from './task-records.js';

export const RUN_TASK_MAX_COUNT = 10;

export interface TaskLauncherDeps {
  ecs: ECSClient;
  limits: RateLimits;
  logger: Logger;
  config: EcsConfig;
  fleetId: string;
}

export interface RunOutcome {
  tasks: Task[];
  failures: LaunchFailure[];
}

export class TaskLauncher {
  constructor(private readonly deps: TaskLauncherDeps) {}

  /**
   * Starts `count` tasks; a failed call becomes one failure per task it should have started. With `names`, each task
   * is started by a call of its own that carries its name tag (one RunTask sets one tag set for all the tasks it
   * starts), so a task never runs unnamed; without, in calls of up to ten.
   */
  async run(count: number, placement?: PlacementConstraint[], names?: readonly string[]): Promise<RunOutcome> {
    const outcome: RunOutcome = { tasks: [], failures: [] };
    const calls: Array<{ n: number; name?: string }> = [];
    if (names && names.length > 0) for (const name of names.slice(0, count)) calls.push({ n: 1, name });
    else for (let left = count; left > 0; left -= RUN_TASK_MAX_COUNT) calls.push({ n: Math.min(RUN_TASK_MAX_COUNT, left) });
    for (const { n, name } of calls) {
      try {
        const res = await this.deps.limits.call('modify', 'RunTask', () =>
          this.deps.ecs.send(new RunTaskCommand(this.input(n, placement, name))),
        );
        outcome.tasks.push(...(res.tasks ?? []));
        for (const f of res.failures ?? []) {
          const failure: LaunchFailure = { reason: f.reason ?? 'UNKNOWN' };
          const detail = [f.arn, f.detail].filter(Boolean).join(': ');
          if (detail) failure.detail = detail;
          this.deps.logger.warn('run task failure', { reason: failure.reason, arn: f.arn, detail: f.detail });
          outcome.failures.push(failure);
        }
        // ECS answers each task with either a task or a failure; anything unaccounted for did not start.
        const missing = n - (res.tasks?.length ?? 0) - (res.failures?.length ?? 0);
        for (let i = 0; i < missing; i += 1) outcome.failures.push({ reason: 'MISSING', detail: 'RunTask returned neither task nor failure' });
      } catch (err) {
        const e = err instanceof AwsCallError ? err : wrapAwsError('RunTask', err);
        this.deps.logger.warn('run task call failed', { count: n, kind: e.kind, code: e.code, error: e.message });
        for (let i = 0; i < n; i += 1) outcome.failures.push({ reason: e.code, detail: e.message });
      }
    }
    return outcome;
  }

  private input(count: number, placement: PlacementConstraint[] | undefined, name?: string): RunTaskCommandInput {
    const { config, fleetId } = this.deps;
    const input: RunTaskCommandInput = {
      cluster: config.cluster,
      taskDefinition: config.taskDefinition,
      count,
      startedBy: fleetId,
      tags: [{ key: FLEET_TAG, value: fleetId }, ...(name ? [{ key: NAME_TAG, value: name }] : [])],
      enableECSManagedTags: true,
    };
    if (config.capacityProviders.length > 0) {
      input.capacityProviderStrategy = config.capacityProviders.map((p) => ({ ...p }));
    } else if (config.launchType) {
      input.launchType = config.launchType;
    }
    if (config.networkMode === 'awsvpc') {
      input.networkConfiguration = {
        awsvpcConfiguration: {
          subnets: config.subnets,
          ...(config.securityGroups.length > 0 ? { securityGroups: config.securityGroups } : {}),
          assignPublicIp: config.assignPublicIp ? 'ENABLED' : 'DISABLED',
        },
      };
    }
    if (placement && placement.length > 0) input.placementConstraints = placement;
    return input;
  }
}
