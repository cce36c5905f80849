import { afterEach, describe, expect, it } from 'vitest';
import {
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  ListContainerInstancesCommand,
  ListTasksCommand,
  RunTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { DescribeInstancesCommand, RunInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import type { EcsBackend, EcsBackendOptions } from '../../src/aws/ecs-backend.js';
import { createCapturingLogger } from '../support/factories.js';
import { waitFor } from '../support/wait.js';
import { FLEET, makeBackend, makeEcsConfig, taskArn } from './aws-fixtures.js';
import { ecsStats } from '../support/ecs-stats.js';

const open: EcsBackend[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((b) => b.close()));
});

/** A tiny cluster model behind the mocks: instances that join, tasks placed on them. */
function setup(overrides: Partial<EcsBackendOptions> = {}) {
  const made = makeBackend({
    ecs: makeEcsConfig({ launchType: 'EC2', networkMode: 'bridge', subnets: [], instanceLaunchTemplate: 'defaultECS', address: 'private' }),
    instances: { joinDeadlineMs: 60_000, idleGraceMs: 300_000 },
    ...overrides,
  });
  open.push(made.backend);
  const { ecs, ec2 } = made;
  const state = { instances: [] as string[], joined: new Set<string>(), tasks: [] as Task[], terminated: [] as string[], runTaskFails: false, listTerminated: false };
  let nextInstance = 0;
  ec2.on(RunInstancesCommand).callsFake((input: { MaxCount: number }) => {
    const ids = Array.from({ length: input.MaxCount }, () => `i-${++nextInstance}`);
    state.instances.push(...ids);
    return { Instances: ids.map((InstanceId) => ({ InstanceId })) };
  });
  ec2.on(DescribeInstancesCommand).callsFake((input: { InstanceIds?: string[] }) => {
    const ids = input.InstanceIds ?? state.instances.filter((i) => state.listTerminated || !state.terminated.includes(i));
    return { Reservations: [{ Instances: ids.map((InstanceId) => ({ InstanceId, PrivateIpAddress: '10.9.0.1' })) }] };
  });
  ec2.on(TerminateInstancesCommand).callsFake((input: { InstanceIds: string[] }) => {
    state.terminated.push(...input.InstanceIds);
    return {};
  });
  ecs.on(ListContainerInstancesCommand).callsFake(() => ({ containerInstanceArns: [...state.joined].map((i) => `ci-${i}`) }));
  ecs.on(DescribeContainerInstancesCommand).callsFake((input: { containerInstances: string[] }) => ({
    containerInstances: input.containerInstances.map((arn) => ({ containerInstanceArn: arn, ec2InstanceId: arn.slice(3), agentConnected: true })),
  }));
  ecs.on(RunTaskCommand).callsFake((input: { placementConstraints?: { type: string; expression?: string }[] }) => {
    if (state.runTaskFails) return { tasks: [], failures: [{ reason: 'RESOURCE:CPU' }] };
    const target = input.placementConstraints?.find((c) => c.type === 'memberOf')?.expression?.split('== ')[1] ?? 'none';
    const task: Task = { taskArn: taskArn(state.tasks.length + 1), startedBy: FLEET, lastStatus: 'PENDING', containerInstanceArn: `ci-${target}`, createdAt: new Date() };
    state.tasks.push(task);
    return { tasks: [task], failures: [] };
  });
  ecs.on(ListTasksCommand).callsFake((input: { desiredStatus: string }) => ({
    taskArns: state.tasks.filter((t) => (t.lastStatus === 'STOPPED') === (input.desiredStatus === 'STOPPED')).map((t) => t.taskArn as string),
  }));
  ecs.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({ tasks: state.tasks.filter((t) => input.tasks.includes(t.taskArn as string)) }));
  return { ...made, state };
}

describe('EcsBackend with an instance launch template', () => {
  it('launches an instance without waiting, places the task once it joins, and terminates it when the task stops', async () => {
    const { backend, ec2, ecs, state } = setup();

    const result = await backend.launch(1);
    expect(result.failures).toEqual([]);
    expect(result.launched).toEqual([expect.objectContaining({ id: 'instance:i-1', status: 'starting', host: null })]);
    expect(ec2.commandCalls(RunInstancesCommand)[0]?.args[0].input).toMatchObject({
      LaunchTemplate: { LaunchTemplateName: 'defaultECS' },
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'arbiter:fleet', Value: FLEET }] }],
    });
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(0);

    expect((await backend.list()).map((s) => s.id)).toEqual(['instance:i-1']); // not joined yet

    state.joined.add('i-1');
    expect((await backend.list()).map((s) => s.id)).toEqual([taskArn(1)]); // placed and shown at once
    const placement = ecs.commandCalls(RunTaskCommand)[0]?.args[0].input.placementConstraints;
    expect(placement).toEqual([{ type: 'distinctInstance' }, { type: 'memberOf', expression: 'ec2InstanceId == i-1' }]);
    const servers = await backend.list();
    expect(servers.map((s) => s.id)).toEqual([taskArn(1)]);
    expect(state.terminated).toEqual([]);

    (state.tasks[0] as Task).lastStatus = 'STOPPED';
    await backend.list();
    expect(state.terminated).toEqual(['i-1']);
  });

  it('reuses a free registered instance instead of launching one', async () => {
    const { backend, ec2, state } = setup();
    state.instances.push('i-free');
    state.joined.add('i-free');
    const result = await backend.launch(1);
    expect(result.launched.map((s) => s.id)).toEqual([taskArn(1)]);
    expect(ec2.commandCalls(RunInstancesCommand)).toHaveLength(0);
  });

  it('terminates an instance whose RunTask fails', async () => {
    const { backend, state } = setup();
    await backend.launch(1);
    state.joined.add('i-1');
    state.runTaskFails = true;
    const servers = await backend.list();
    expect(state.terminated).toEqual(['i-1']);
    expect(servers).toEqual([]);
    expect((await ecsStats(backend)).failuresByReason).toEqual({ 'RESOURCE:CPU': 1 });
  });

  it('terminates an instance that never joins the cluster within the deadline', async () => {
    const { backend, clock, state } = setup();
    await backend.launch(1);
    clock.advance(60_001);
    expect(await backend.list()).toEqual([]);
    expect(state.terminated).toEqual(['i-1']);
  });

  it('stopping a server still waiting for its instance terminates the instance', async () => {
    const { backend, state } = setup();
    await backend.launch(1);
    await backend.stop('instance:i-1', 'scale in');
    expect(state.terminated).toEqual(['i-1']);
    expect(await backend.list()).toEqual([]);
  });

  it('after a restart, terminates fleet instances that hold no task of ours for longer than the grace', async () => {
    const { backend, clock, state } = setup();
    state.instances.push('i-orphan');
    await backend.list();
    clock.advance(299_999);
    await backend.list();
    expect(state.terminated).toEqual([]);
    clock.advance(1);
    await backend.list();
    expect(state.terminated).toEqual(['i-orphan']);
  });

  it('logs one line and counts one termination per instance, each with its reason', async () => {
    const { logger, lines } = createCapturingLogger();
    const { backend, clock, state } = setup({ logger });
    await backend.launch(2);
    state.joined.add('i-1');
    await backend.list(); // i-1 gets its task; i-2 keeps waiting
    (state.tasks[0] as Task).lastStatus = 'STOPPED';
    clock.advance(60_001);
    await backend.list();
    expect(state.terminated.sort()).toEqual(['i-1', 'i-2']);
    expect((await ecsStats(backend)).instancesTerminated).toEqual({ task_stopped: 1, join_deadline: 1 });
    const terminated = await waitFor(() => {
      const found = lines.filter((l) => l.message === 'instance terminated');
      return found.length === 2 ? found : null;
    }, { what: 'two termination lines' });
    expect(terminated.map((l) => [l.instanceId, l.reason]).sort()).toEqual([
      ['i-1', 'task_stopped'],
      ['i-2', 'join_deadline'],
    ]);
  });

  it('an instance EC2 still lists after its termination is not terminated twice; once unlisted it is forgotten', async () => {
    const { backend, ec2, state } = setup();
    await backend.launch(1);
    state.joined.add('i-1');
    await backend.list();
    (state.tasks[0] as Task).lastStatus = 'STOPPED';
    state.listTerminated = true; // EC2 is eventually consistent: the instance still shows as running
    await backend.list();
    await backend.list();
    expect(ec2.commandCalls(TerminateInstancesCommand)).toHaveLength(1);
    state.listTerminated = false;
    await backend.list();
    // Listed again with our stopped task on it, it is no longer remembered as terminated: terminated again.
    state.listTerminated = true;
    await backend.list();
    expect(ec2.commandCalls(TerminateInstancesCommand)).toHaveLength(2);
    expect((await ecsStats(backend)).instancesTerminated).toEqual({ task_stopped: 2 });
  });

  it('stopping a server still waiting for its instance counts as server_stopped', async () => {
    const { backend } = setup();
    await backend.launch(1);
    await backend.stop('instance:i-1', 'scale in');
    expect((await ecsStats(backend)).instancesTerminated).toEqual({ server_stopped: 1 });
  });
});
