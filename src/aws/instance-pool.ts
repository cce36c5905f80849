// The seed's EC2 mode: one container instance per gameserver, launched from a launch template.
// launch() never waits for an instance to boot; reconcile() places tasks on instances that joined and
// terminates every instance of ours that no longer holds a task of ours, so nothing leaks.
import {
  DescribeContainerInstancesCommand,
  ListContainerInstancesCommand,
  type ECSClient,
  type PlacementConstraint,
  type Task,
} from '@aws-sdk/client-ecs';
import { DescribeInstancesCommand, RunInstancesCommand, TerminateInstancesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { Logger } from '../shared/log.js';
import type { Clock } from '../shared/clock.js';
import type { BackendServer } from '../manager/types.js';
import type { RateLimits } from './rate-limits.js';
import { FLEET_TAG } from './task-records.js';

export const PENDING_INSTANCE_PREFIX = 'instance:';

export interface InstancePoolDeps {
  ecs: ECSClient;
  ec2: EC2Client;
  limits: RateLimits;
  logger: Logger;
  clock: Clock;
  cluster: string;
  fleetId: string;
  launchTemplate: string;
  /** Starts one task on the given instance; resolves true when ECS accepted it. */
  runTaskOn: (placement: PlacementConstraint[]) => Promise<boolean>;
  /** How long a new instance may take to join the cluster before it is terminated. */
  joinDeadlineMs: number;
  /** How long an instance of ours may hold no task of ours before it is terminated. */
  idleGraceMs: number;
}

export interface ClusterInstance {
  containerInstanceArn: string;
  ec2InstanceId: string;
}

export function targetInstance(ec2InstanceId: string): PlacementConstraint[] {
  return [{ type: 'distinctInstance' }, { type: 'memberOf', expression: `ec2InstanceId == ${ec2InstanceId}` }];
}

export class InstancePool {
  /** Instances launched for a server that has no task yet, by EC2 instance id → launch time. */
  private readonly pending = new Map<string, number>();
  /** First time each instance of ours was seen holding no task of ours. */
  private readonly idleSince = new Map<string, number>();
  private readonly terminated = new Set<string>();

  constructor(private readonly deps: InstancePoolDeps) {}

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Servers waiting for their instance, shown to the manager as starting so it does not launch twice. */
  placeholders(): BackendServer[] {
    return [...this.pending].map(([id, launchedAt]) => ({
      id: `${PENDING_INSTANCE_PREFIX}${id}`,
      name: `${this.deps.fleetId}-${id.slice(-8)}`,
      host: null,
      ports: null,
      status: 'starting',
      standby: false,
      launchedAt,
    }));
  }

  /** Registered container instances of the cluster (ACTIVE), all pages. Throws on failure. */
  async clusterInstances(): Promise<ClusterInstance[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const res = await this.deps.limits.call('read', 'ListContainerInstances', () =>
        this.deps.ecs.send(new ListContainerInstancesCommand({ cluster: this.deps.cluster, status: 'ACTIVE', nextToken, maxResults: 100 })),
      );
      arns.push(...(res.containerInstanceArns ?? []));
      nextToken = res.nextToken;
    } while (nextToken);
    const out: ClusterInstance[] = [];
    for (let i = 0; i < arns.length; i += 100) {
      const chunk = arns.slice(i, i + 100);
      const res = await this.deps.limits.call('read', 'DescribeContainerInstances', () =>
        this.deps.ecs.send(new DescribeContainerInstancesCommand({ cluster: this.deps.cluster, containerInstances: chunk })),
      );
      for (const ci of res.containerInstances ?? []) {
        if (ci.containerInstanceArn && ci.ec2InstanceId && ci.agentConnected !== false) {
          out.push({ containerInstanceArn: ci.containerInstanceArn, ec2InstanceId: ci.ec2InstanceId });
        }
      }
    }
    return out;
  }

  /** Instances that hold no live task of ours and are not waiting for one of our placements. */
  freeInstances(all: ClusterInstance[], liveTasks: Task[]): ClusterInstance[] {
    const busy = new Set(liveTasks.map((t) => t.containerInstanceArn).filter(Boolean));
    return all.filter((ci) => !busy.has(ci.containerInstanceArn) && !this.pending.has(ci.ec2InstanceId));
  }

  /** Launches `count` instances from the template; returns their ids. Throws when EC2 refuses. */
  async launchInstances(count: number): Promise<string[]> {
    const res = await this.deps.limits.call('ec2', 'RunInstances', () =>
      this.deps.ec2.send(
        new RunInstancesCommand({
          LaunchTemplate: { LaunchTemplateName: this.deps.launchTemplate },
          MinCount: 1,
          MaxCount: count,
          TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: FLEET_TAG, Value: this.deps.fleetId }] }],
        }),
      ),
    );
    const ids = (res.Instances ?? []).map((i) => i.InstanceId).filter((id): id is string => Boolean(id));
    for (const id of ids) this.pending.set(id, this.deps.clock.now());
    this.deps.logger.info('instances launched', { requested: count, launched: ids.length, instanceIds: ids });
    return ids;
  }

  /** Gives up on a server that is still waiting for its instance. */
  async cancel(ec2InstanceId: string, reason: string): Promise<void> {
    this.pending.delete(ec2InstanceId);
    await this.terminate([ec2InstanceId], reason);
  }

  /**
   * Places tasks on pending instances that joined, terminates those past the join deadline, and
   * terminates instances of ours without a live task of ours (at once when ours stopped on it,
   * after the idle grace otherwise, e.g. found after a restart). Throws only if listing fails.
   */
  async reconcile(tasks: Task[], instanceIdOf: (containerInstanceArn: string) => string | undefined): Promise<void> {
    const now = this.deps.clock.now();
    if (this.pending.size > 0) {
      const joined = new Map((await this.clusterInstances()).map((ci) => [ci.ec2InstanceId, ci]));
      for (const [id, launchedAt] of [...this.pending]) {
        if (joined.has(id)) {
          const ok = await this.deps.runTaskOn(targetInstance(id));
          this.pending.delete(id);
          if (!ok) await this.terminate([id], 'run task failed');
        } else if (now - launchedAt > this.deps.joinDeadlineMs) {
          this.pending.delete(id);
          await this.terminate([id], 'did not join the cluster in time');
        }
      }
    }
    const live = new Set<string>();
    const stoppedOn = new Set<string>();
    for (const t of tasks) {
      const id = t.containerInstanceArn ? instanceIdOf(t.containerInstanceArn) : undefined;
      if (!id) continue;
      if (t.lastStatus === 'STOPPED') stoppedOn.add(id);
      else live.add(id);
    }
    const expired: string[] = [];
    const freed: string[] = [];
    for (const id of await this.fleetInstanceIds()) {
      if (this.pending.has(id) || live.has(id)) {
        this.idleSince.delete(id);
        continue;
      }
      if (stoppedOn.has(id)) {
        freed.push(id);
        continue;
      }
      const since = this.idleSince.get(id) ?? now;
      this.idleSince.set(id, since);
      if (now - since >= this.deps.idleGraceMs) expired.push(id);
    }
    await this.terminate(freed, 'server task stopped');
    await this.terminate(expired, 'idle instance of the fleet');
  }

  private async fleetInstanceIds(): Promise<string[]> {
    const ids: string[] = [];
    let NextToken: string | undefined;
    do {
      const res = await this.deps.limits.call('ec2', 'DescribeInstances', () =>
        this.deps.ec2.send(
          new DescribeInstancesCommand({
            Filters: [
              { Name: `tag:${FLEET_TAG}`, Values: [this.deps.fleetId] },
              { Name: 'instance-state-name', Values: ['pending', 'running'] },
            ],
            NextToken,
          }),
        ),
      );
      for (const r of res.Reservations ?? []) for (const i of r.Instances ?? []) if (i.InstanceId) ids.push(i.InstanceId);
      NextToken = res.NextToken;
    } while (NextToken);
    return ids.filter((id) => !this.terminated.has(id));
  }

  private async terminate(ids: string[], reason: string): Promise<void> {
    const todo = ids.filter((id) => !this.terminated.has(id));
    if (todo.length === 0) return;
    try {
      await this.deps.limits.call('ec2', 'TerminateInstances', () =>
        this.deps.ec2.send(new TerminateInstancesCommand({ InstanceIds: todo })),
      );
      for (const id of todo) {
        this.terminated.add(id);
        this.idleSince.delete(id);
      }
      this.deps.logger.info('instances terminated', { instanceIds: todo, reason });
    } catch (err) {
      // Left for the next reconcile: the instance is still tagged with the fleet and idle.
      this.deps.logger.warn('terminate instances failed', { instanceIds: todo, reason, error: (err as Error).message });
    }
  }
}
