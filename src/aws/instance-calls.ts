// The EC2 and ECS calls of EC2 launch-template mode, each through the rate limits. No state: what to do
// with the answers is decided in instance-plan.ts. Every call throws an AwsCallError on failure.
import type { ECSClient, PlacementConstraint } from '@aws-sdk/client-ecs';
import type { Ec2Client } from './clients.js';
import { DescribeContainerInstancesCommand, ListContainerInstancesCommand, ec2Sdk } from './sdk.js';
import type { RegisteredInstance } from './instance-plan.js';
import type { RateLimits } from './rate-limits.js';
import { FLEET_TAG } from './task-records.js';

export interface InstanceCallsDeps {
  ecs: ECSClient;
  ec2: Ec2Client;
  limits: RateLimits;
  cluster: string;
  fleetId: string;
  launchTemplate: string;
}

export function targetInstance(ec2InstanceId: string): PlacementConstraint[] {
  return [{ type: 'distinctInstance' }, { type: 'memberOf', expression: `ec2InstanceId == ${ec2InstanceId}` }];
}

export class InstanceCalls {
  constructor(private readonly deps: InstanceCallsDeps) {}

  /** Registered container instances of the cluster (ACTIVE, agent connected), all pages. */
  async registered(): Promise<RegisteredInstance[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const res = await this.deps.limits.call('read', 'ListContainerInstances', () =>
        this.deps.ecs.send(new ListContainerInstancesCommand({ cluster: this.deps.cluster, status: 'ACTIVE', nextToken, maxResults: 100 })),
      );
      arns.push(...(res.containerInstanceArns ?? []));
      nextToken = res.nextToken;
    } while (nextToken);
    const out: RegisteredInstance[] = [];
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

  /** Launches up to `count` instances from the template, tagged with the fleet; returns their ids. */
  async runInstances(count: number): Promise<string[]> {
    const res = await this.deps.limits.call('ec2', 'RunInstances', () =>
      this.deps.ec2.send(
        new (ec2Sdk().RunInstancesCommand)({
          LaunchTemplate: { LaunchTemplateName: this.deps.launchTemplate },
          MinCount: 1,
          MaxCount: count,
          TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: FLEET_TAG, Value: this.deps.fleetId }] }],
        }),
      ),
    );
    return (res.Instances ?? []).map((i) => i.InstanceId).filter((id): id is string => Boolean(id));
  }

  /** Instances tagged with the fleet that are pending or running, all pages. */
  async fleetInstances(): Promise<string[]> {
    const ids: string[] = [];
    let NextToken: string | undefined;
    do {
      const res = await this.deps.limits.call('ec2', 'DescribeInstances', () =>
        this.deps.ec2.send(
          new (ec2Sdk().DescribeInstancesCommand)({
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
    return ids;
  }

  async terminate(instanceIds: string[]): Promise<void> {
    await this.deps.limits.call('ec2', 'TerminateInstances', () => this.deps.ec2.send(new (ec2Sdk().TerminateInstancesCommand)({ InstanceIds: instanceIds })));
  }
}
