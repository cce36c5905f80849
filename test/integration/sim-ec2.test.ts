import {
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  ListContainerInstancesCommand,
  RunTaskCommand,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type Sim } from '../../sim/index.js';
import { createSimClients, type SimClients } from '../../sim/sdk-clients.js';
import { waitFor } from '../support/wait.js';
import { registerBridgeDefinition } from '../support/ecs-config.js';

let sim: Sim;
let clients: SimClients;

beforeAll(async () => {
  sim = await startSim({ port: 0, launchLatencyMs: 30, stopLatencyMs: 20, instanceJoinLatencyMs: 40, throttling: false });
  clients = createSimClients(sim);
  await registerBridgeDefinition(clients.ecs, 'BridgeGameserver');
});

afterAll(async () => {
  clients?.destroy();
  await sim?.close();
});

async function launchInstance(): Promise<string> {
  const out = await clients.ec2.send(
    new RunInstancesCommand({ LaunchTemplate: { LaunchTemplateName: 'defaultECS' }, MinCount: 1, MaxCount: 1 }),
  );
  const id = out.Instances?.[0]?.InstanceId;
  if (!id) throw new Error('no instance');
  return id;
}

async function containerInstanceOf(instanceId: string): Promise<string> {
  return waitFor(async () => {
    const list = await clients.ecs.send(new ListContainerInstancesCommand({}));
    if (!list.containerInstanceArns?.length) return undefined;
    const described = await clients.ecs.send(new DescribeContainerInstancesCommand({ containerInstances: list.containerInstanceArns }));
    return described.containerInstances?.find((c) => c.ec2InstanceId === instanceId)?.containerInstanceArn;
  }, { what: 'container instance', intervalMs: 10 });
}

describe('EC2 through the SDK', () => {
  it('resolves an awsvpc task public IP through DescribeNetworkInterfaces', async () => {
    const run = await clients.ecs.send(
      new RunTaskCommand({
        taskDefinition: 'LaunchGameserver',
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], assignPublicIp: 'ENABLED' } },
      }),
    );
    const details = run.tasks?.[0]?.attachments?.[0]?.details ?? [];
    const eniId = details.find((d) => d.name === 'networkInterfaceId')?.value;
    const privateIp = details.find((d) => d.name === 'privateIPv4Address')?.value;
    expect(eniId).toMatch(/^eni-/);
    const out = await clients.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId ?? ''] }));
    expect(out.NetworkInterfaces?.[0]).toMatchObject({
      NetworkInterfaceId: eniId,
      PrivateIpAddress: privateIp,
      Association: { PublicIp: privateIp },
    });
  });

  it('answers an unknown ENI with InvalidNetworkInterfaceID.NotFound', async () => {
    await expect(
      clients.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ['eni-0000000000000dead'] })),
    ).rejects.toMatchObject({ name: 'InvalidNetworkInterfaceID.NotFound' });
  });

  it('answers an unknown launch template with InvalidLaunchTemplateName.NotFoundException', async () => {
    await expect(
      clients.ec2.send(new RunInstancesCommand({ LaunchTemplate: { LaunchTemplateName: 'nope' }, MinCount: 1, MaxCount: 1 })),
    ).rejects.toMatchObject({ name: 'InvalidLaunchTemplateName.NotFoundException', $metadata: { httpStatusCode: 400 } });
  });

  it('runs bridge tasks on a joined instance with distinct host ports, resolvable to the instance address', async () => {
    const instanceId = await launchInstance();
    const containerInstanceArn = await containerInstanceOf(instanceId);
    const run = await clients.ecs.send(
      new RunTaskCommand({ taskDefinition: 'BridgeGameserver', launchType: 'EC2', count: 2 }),
    );
    expect(run.failures).toEqual([]);
    const arns = (run.tasks ?? []).map((t) => t.taskArn ?? '');
    const tasks = await waitFor(async () => {
      const out = await clients.ecs.send(new DescribeTasksCommand({ tasks: arns }));
      return out.tasks?.every((t) => t.lastStatus === 'RUNNING') ? out.tasks : undefined;
    }, { intervalMs: 10 });
    expect(tasks.map((t) => t.containerInstanceArn)).toEqual([containerInstanceArn, containerInstanceArn]);
    const webPorts = tasks.map((t) => t.containers?.[0]?.networkBindings?.find((b) => b.containerPort === 3080)?.hostPort);
    expect(new Set(webPorts).size).toBe(2);

    const ci = await clients.ecs.send(new DescribeContainerInstancesCommand({ containerInstances: [containerInstanceArn] }));
    expect(ci.containerInstances?.[0]?.ec2InstanceId).toBe(instanceId);
    const ec2 = await clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    const instance = ec2.Reservations?.[0]?.Instances?.[0];
    expect(instance?.State?.Name).toBe('running');
    expect(instance?.PublicIpAddress).toBe(instance?.PrivateIpAddress);
    for (const port of webPorts) {
      const health = await fetch(`http://${instance?.PublicIpAddress}:${port}/health/`);
      expect(health.status).toBe(200);
    }
  });

  it('honours distinctInstance: a second task for the group fails on a single busy instance', async () => {
    const out = await clients.ecs.send(
      new RunTaskCommand({
        taskDefinition: 'BridgeGameserver',
        launchType: 'EC2',
        group: 'distinct-group',
        count: 1,
        placementConstraints: [{ type: 'distinctInstance' }],
      }),
    );
    // Only one instance is up and it already runs tasks of other groups: the first fits.
    expect(out.tasks).toHaveLength(1);
    const second = await clients.ecs.send(
      new RunTaskCommand({
        taskDefinition: 'BridgeGameserver',
        launchType: 'EC2',
        group: 'distinct-group',
        placementConstraints: [{ type: 'distinctInstance' }],
      }),
    );
    expect(second.tasks).toEqual([]);
    expect(second.failures?.[0]?.reason).toMatch(/DistinctInstance/);
  });

  it('terminating an instance stops its tasks and deregisters its container instance', async () => {
    const instanceId = await launchInstance();
    const containerInstanceArn = await containerInstanceOf(instanceId);
    const tasks = sim.admin.tasks().filter((t) => t.ec2InstanceId === instanceId);
    expect(tasks).toEqual([]);
    const terminated = await clients.ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
    expect(terminated.TerminatingInstances?.[0]?.CurrentState?.Name).toBe('shutting-down');
    const ci = await clients.ecs.send(new DescribeContainerInstancesCommand({ containerInstances: [containerInstanceArn] }));
    expect(ci.containerInstances?.[0]?.status).toBe('INACTIVE');
    await waitFor(async () => {
      const out = await clients.ec2.send(
        new DescribeInstancesCommand({ Filters: [{ Name: 'instance-state-name', Values: ['terminated'] }] }),
      );
      return out.Reservations?.some((r) => r.Instances?.some((i) => i.InstanceId === instanceId));
    }, { intervalMs: 10 });
    const first = sim.admin.instances().find((i) => i.runningTasks > 0);
    const busy = sim.admin.tasks().filter((t) => t.ec2InstanceId === first?.instanceId && t.desiredStatus === 'RUNNING');
    expect(busy.length).toBeGreaterThan(0);
    await clients.ec2.send(new TerminateInstancesCommand({ InstanceIds: [first?.instanceId ?? ''] }));
    await waitFor(() =>
      busy.every((t) => sim.admin.task(t.id).lastStatus === 'STOPPED'),
    { intervalMs: 10 });
    expect(sim.admin.task(busy[0]?.id ?? '').stoppedReason).toMatch(/terminated/);
  });

  it('answers an unknown instance id with InvalidInstanceID.NotFound', async () => {
    await expect(
      clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] })),
    ).rejects.toMatchObject({ name: 'InvalidInstanceID.NotFound' });
  });
});
