import { afterEach, describe, expect, it } from 'vitest';
import {
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { DescribeInstancesCommand, DescribeNetworkInterfacesCommand } from '@aws-sdk/client-ec2';
import type { EcsBackend } from '../../src/aws/ecs-backend.js';
import { awsvpcTask, FLEET, makeBackend, makeEcsConfig, taskArn } from './aws-fixtures.js';
import { ecsStats } from '../support/ecs-stats.js';

const open: EcsBackend[] = [];
function setup(...args: Parameters<typeof makeBackend>) {
  const made = makeBackend(...args);
  open.push(made.backend);
  return made;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((b) => b.close()));
});

/** DescribeTasks answers from a table of tasks, by ARN. */
function describeFrom(tasks: Task[]) {
  const byArn = new Map(tasks.map((t) => [t.taskArn, t]));
  return (input: { tasks?: string[] }) => ({ tasks: (input.tasks ?? []).map((a) => byArn.get(a)).filter(Boolean) as Task[] });
}

describe('EcsBackend.list', () => {
  it('follows ListTasks pages for RUNNING and STOPPED and describes in chunks of 100 with tags', async () => {
    const { backend, ecs, ec2 } = setup({ ecs: makeEcsConfig({ address: 'private' }) });
    const tasks = Array.from({ length: 230 }, (_, i) => awsvpcTask(i + 1));
    const running = tasks.slice(0, 220).map((t) => t.taskArn as string);
    ecs.on(ListTasksCommand, { desiredStatus: 'RUNNING' }).callsFake((input: { nextToken?: string }) => {
      const start = input.nextToken ? Number(input.nextToken) : 0;
      const next = start + 100 < running.length ? String(start + 100) : undefined;
      return { taskArns: running.slice(start, start + 100), nextToken: next };
    });
    const stopped = tasks.slice(220).map((t) => ({ ...t, lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stoppedReason: 'Essential container exited' }));
    ecs.on(ListTasksCommand, { desiredStatus: 'STOPPED' }).resolves({ taskArns: stopped.map((t) => t.taskArn as string) });
    ecs.on(DescribeTasksCommand).callsFake(describeFrom([...tasks.slice(0, 220), ...stopped]));

    const servers = await backend.list();

    expect(servers).toHaveLength(230);
    const listCalls = ecs.commandCalls(ListTasksCommand).map((c) => c.args[0].input);
    expect(listCalls.every((i) => i.startedBy === FLEET && i.maxResults === 100 && i.cluster === 'default')).toBe(true);
    expect(listCalls.filter((i) => i.desiredStatus === 'RUNNING')).toHaveLength(3);
    const describeSizes = ecs.commandCalls(DescribeTasksCommand).map((c) => c.args[0].input.tasks?.length);
    expect(describeSizes).toEqual([100, 100, 30]);
    expect(ecs.commandCalls(DescribeTasksCommand).every((c) => c.args[0].input.include?.includes('TAGS'))).toBe(true);
    expect(ec2.calls()).toHaveLength(0); // private addresses need no EC2 lookup
    const last = servers.find((s) => s.id === taskArn(230));
    expect(last).toMatchObject({ status: 'stopped', stoppedReason: 'Essential container exited' });
  });

  it.each([
    { lastStatus: 'PROVISIONING', want: 'starting' },
    { lastStatus: 'PENDING', want: 'starting' },
    { lastStatus: 'ACTIVATING', want: 'starting' },
    { lastStatus: 'RUNNING', want: 'running' },
    { lastStatus: 'DEACTIVATING', want: 'stopping' },
    { lastStatus: 'STOPPING', want: 'stopping' },
    { lastStatus: 'DEPROVISIONING', want: 'stopping' },
    { lastStatus: 'STOPPED', want: 'stopped' },
  ])('maps lastStatus $lastStatus to $want, with name, standby and launch time', async ({ lastStatus, want }) => {
    const { backend, ecs, ec2 } = setup();
    const task = awsvpcTask(7, { lastStatus, tags: [{ key: 'arbiter:standby', value: 'true' }, { key: 'arbiter:name', value: `${FLEET}-golf` }] });
    ecs.on(ListTasksCommand, { desiredStatus: 'RUNNING' }).resolves({ taskArns: [task.taskArn as string] });
    ecs.on(ListTasksCommand, { desiredStatus: 'STOPPED' }).resolves({ taskArns: [] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [task] });
    ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });
    const [server] = await backend.list();
    expect(server).toMatchObject({ status: want, standby: true, name: `${FLEET}-golf`, launchedAt: 1_700_000_000_007 });
  });

  it('resolves awsvpc public IPs in one EC2 call; a task with a broken attachment only loses its own address', async () => {
    const { backend, ecs, ec2 } = setup();
    const tasks = [awsvpcTask(1), awsvpcTask(2, { attachments: [] }), awsvpcTask(3)];
    ecs.on(ListTasksCommand, { desiredStatus: 'RUNNING' }).resolves({ taskArns: tasks.map((t) => t.taskArn as string) });
    ecs.on(ListTasksCommand, { desiredStatus: 'STOPPED' }).resolves({ taskArns: [] });
    ecs.on(DescribeTasksCommand).callsFake(describeFrom(tasks));
    ec2.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [{ NetworkInterfaceId: 'eni-1', Association: { PublicIp: '54.0.0.1' } }, { NetworkInterfaceId: 'eni-3' }],
    });

    const servers = await backend.list();

    expect(servers.map((s) => s.host)).toEqual(['54.0.0.1', null, '10.0.0.3']); // eni-3 has no public IP: private
    // Health polls stay inside the VPC by default: the private IP, whatever clients are given.
    expect(servers.map((s) => s.pollHost)).toEqual(['10.0.0.1', null, '10.0.0.3']);
    expect(servers[0]?.ports).toEqual({ game: 3000, web: 3080, health: 3080 });
    expect(servers[1]?.ports).toBeNull();
    expect(ec2.commandCalls(DescribeNetworkInterfacesCommand)).toHaveLength(1);
    expect(ec2.commandCalls(DescribeNetworkInterfacesCommand)[0]?.args[0].input.NetworkInterfaceIds).toEqual(['eni-1', 'eni-3']);

    await backend.list(); // running tasks' addresses are cached; only the unresolved one is looked up again
    expect(ec2.commandCalls(DescribeNetworkInterfacesCommand)).toHaveLength(1);
  });

  it('falls back to one lookup per ENI when EC2 rejects the batch for an unknown id', async () => {
    const { backend, ecs, ec2 } = setup();
    const tasks = [awsvpcTask(1), awsvpcTask(2)];
    ecs.on(ListTasksCommand, { desiredStatus: 'RUNNING' }).resolves({ taskArns: tasks.map((t) => t.taskArn as string) });
    ecs.on(ListTasksCommand, { desiredStatus: 'STOPPED' }).resolves({ taskArns: [] });
    ecs.on(DescribeTasksCommand).callsFake(describeFrom(tasks));
    const notFound = Object.assign(new Error('eni-2 does not exist'), { name: 'InvalidNetworkInterfaceID.NotFound', $metadata: { httpStatusCode: 400 } });
    ec2
      .on(DescribeNetworkInterfacesCommand)
      .rejects(notFound)
      .on(DescribeNetworkInterfacesCommand, { NetworkInterfaceIds: ['eni-1'] })
      .resolves({ NetworkInterfaces: [{ NetworkInterfaceId: 'eni-1', Association: { PublicIp: '54.0.0.1' } }] });
    const servers = await backend.list();
    expect(servers.map((s) => s.host)).toEqual(['54.0.0.1', '10.0.0.2']);
  });

  it('polls the public address too when ECS_POLL_ADDRESS is public (a manager outside the VPC)', async () => {
    const { backend, ecs, ec2 } = setup({ ecs: makeEcsConfig({ pollAddress: 'public' }) });
    const tasks = [awsvpcTask(1)];
    ecs.on(ListTasksCommand, { desiredStatus: 'RUNNING' }).resolves({ taskArns: tasks.map((t) => t.taskArn as string) });
    ecs.on(ListTasksCommand, { desiredStatus: 'STOPPED' }).resolves({ taskArns: [] });
    ecs.on(DescribeTasksCommand).callsFake(describeFrom(tasks));
    ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [{ NetworkInterfaceId: 'eni-1', Association: { PublicIp: '54.0.0.1' } }] });
    const [server] = await backend.list();
    expect(server?.host).toBe('54.0.0.1');
    expect(server?.pollHost).toBe('54.0.0.1');
  });

  it('resolves bridge tasks through container instances and EC2 instances, ports from host bindings', async () => {
    const { backend, ecs, ec2 } = setup({ ecs: makeEcsConfig({ networkMode: 'bridge', launchType: 'EC2', subnets: [], containerName: 'game' }) });
    const bound = (n: number, ci: string): Task => ({
      ...awsvpcTask(n, { attachments: [] }),
      containerInstanceArn: ci,
      containers: [
        { name: 'sidecar', networkBindings: [{ containerPort: 3000, hostPort: 1 }] },
        { name: 'game', networkBindings: [{ containerPort: 3000, hostPort: 32768 + n }, { containerPort: 3080, hostPort: 33768 + n }] },
      ],
    });
    const tasks = [bound(1, 'ci-a'), bound(2, 'ci-b'), { ...bound(3, 'ci-a'), containers: [] }];
    ecs.on(ListTasksCommand, { desiredStatus: 'RUNNING' }).resolves({ taskArns: tasks.map((t) => t.taskArn as string) });
    ecs.on(ListTasksCommand, { desiredStatus: 'STOPPED' }).resolves({ taskArns: [] });
    ecs.on(DescribeTasksCommand).callsFake(describeFrom(tasks));
    ecs.on(DescribeContainerInstancesCommand).resolves({
      containerInstances: [
        { containerInstanceArn: 'ci-a', ec2InstanceId: 'i-a' },
        { containerInstanceArn: 'ci-b', ec2InstanceId: 'i-b' },
      ],
    });
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: [{ InstanceId: 'i-a', PublicIpAddress: '3.3.3.3', PrivateIpAddress: '10.1.0.1' }, { InstanceId: 'i-b', PrivateIpAddress: '10.1.0.2' }] }],
    });

    const servers = await backend.list();

    expect(servers.map((s) => [s.host, s.ports])).toEqual([
      ['3.3.3.3', { game: 32769, web: 33769, health: 33769 }],
      ['10.1.0.2', { game: 32770, web: 33770, health: 33770 }],
      [null, null], // no bindings yet
    ]);
    expect(servers.map((s) => s.pollHost)).toEqual(['10.1.0.1', '10.1.0.2', null]);
    expect(ecs.commandCalls(DescribeContainerInstancesCommand)[0]?.args[0].input.containerInstances).toEqual(['ci-a', 'ci-b']);
    expect(ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(1);
  });

  it('throws when ListTasks fails, so the caller does not scale on a partial view', async () => {
    const { backend, ecs } = setup();
    ecs.on(ListTasksCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
    await expect(backend.list()).rejects.toMatchObject({ name: 'AwsCallError', kind: 'throttling', retryable: true });
  });
});

describe('EcsBackend.launch', () => {
  it('calls RunTask with at most 10 tasks per call, fleet tags and awsvpc networking', async () => {
    const { backend, ecs, ec2 } = setup();
    let n = 0;
    ecs.on(RunTaskCommand).callsFake((input: { count: number }) => ({
      tasks: Array.from({ length: input.count }, () => awsvpcTask(++n, { lastStatus: 'PROVISIONING', attachments: [] })),
      failures: [],
    }));
    ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });

    const result = await backend.launch(23);

    expect(result.failures).toEqual([]);
    expect(result.launched).toHaveLength(23);
    const inputs = ecs.commandCalls(RunTaskCommand).map((c) => c.args[0].input);
    expect(inputs.map((i) => i.count)).toEqual([10, 10, 3]);
    expect(inputs[0]).toMatchObject({
      cluster: 'default',
      taskDefinition: 'LaunchGameserver',
      startedBy: FLEET,
      launchType: 'FARGATE',
      tags: [{ key: 'arbiter:fleet', value: FLEET }],
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], securityGroups: ['sg-1'], assignPublicIp: 'ENABLED' } },
    });
  });

  it('with names, starts each task by a call of its own that carries its name tag', async () => {
    const { backend, ecs, ec2 } = setup();
    let n = 0;
    ecs.on(RunTaskCommand).callsFake((input: { count: number; tags: Array<{ key: string; value: string }> }) => ({
      tasks: Array.from({ length: input.count }, () => awsvpcTask(++n, { lastStatus: 'PROVISIONING', attachments: [], tags: input.tags })),
      failures: [],
    }));
    ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });
    const result = await backend.launch(2, [`${FLEET}-alpha`, `${FLEET}-bravo`]);
    expect(result.launched.map((s) => s.name)).toEqual([`${FLEET}-alpha`, `${FLEET}-bravo`]);
    const inputs = ecs.commandCalls(RunTaskCommand).map((c) => c.args[0].input);
    expect(inputs.map((i) => [i.count, i.tags])).toEqual([
      [1, [{ key: 'arbiter:fleet', value: FLEET }, { key: 'arbiter:name', value: `${FLEET}-alpha` }]],
      [1, [{ key: 'arbiter:fleet', value: FLEET }, { key: 'arbiter:name', value: `${FLEET}-bravo` }]],
    ]);
  });

  it('rename writes the name tag; a task without one lists with no name', async () => {
    const { backend, ecs, ec2 } = setup();
    ecs.on(TagResourceCommand).resolves({});
    await backend.rename('arn:aws:ecs:us-east-1:1:task/default/abc', `${FLEET}-kilo`);
    expect(ecs.commandCalls(TagResourceCommand).map((c) => c.args[0].input)).toEqual([
      { resourceArn: 'arn:aws:ecs:us-east-1:1:task/default/abc', tags: [{ key: 'arbiter:name', value: `${FLEET}-kilo` }] },
    ]);
    const task = awsvpcTask(8, { lastStatus: 'RUNNING' });
    ecs.on(ListTasksCommand, { desiredStatus: 'RUNNING' }).resolves({ taskArns: [task.taskArn as string] });
    ecs.on(ListTasksCommand, { desiredStatus: 'STOPPED' }).resolves({ taskArns: [] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [task] });
    ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });
    expect((await backend.list())[0]!.name).toBe('');
  });

  it('uses a capacity-provider strategy instead of a launch type when one is configured', async () => {
    const providers = [{ capacityProvider: 'FARGATE_SPOT', weight: 3, base: 0 }];
    const { backend, ecs } = setup({ ecs: makeEcsConfig({ launchType: undefined, capacityProviders: providers, address: 'private' }) });
    ecs.on(RunTaskCommand).resolves({ tasks: [awsvpcTask(1)], failures: [] });
    await backend.launch(1);
    const input = ecs.commandCalls(RunTaskCommand)[0]?.args[0].input;
    expect(input?.capacityProviderStrategy).toEqual(providers);
    expect(input?.launchType).toBeUndefined();
  });

  it('reports failures[], counts them, and backs off exponentially before calling AWS again', async () => {
    const { backend, ecs, clock } = setup({ ecs: makeEcsConfig({ address: 'private' }), backoff: { baseMs: 1_000, maxMs: 4_000 } });
    ecs.on(RunTaskCommand).resolves({
      tasks: [awsvpcTask(1)],
      failures: [{ reason: 'RESOURCE:MEMORY', arn: 'arn:ci' }, { reason: 'RESOURCE:MEMORY', arn: 'arn:ci2' }],
    });

    const first = await backend.launch(3);
    expect(first.launched).toHaveLength(1);
    expect(first.failures.map((f) => f.reason)).toEqual(['RESOURCE:MEMORY', 'RESOURCE:MEMORY']);

    const during = await backend.launch(2);
    expect(during.failures.map((f) => f.reason)).toEqual(['backoff', 'backoff']);
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(1);

    clock.advance(1_000);
    await backend.launch(3); // fails again: the next back-off doubles
    clock.advance(1_999);
    expect((await backend.launch(1)).failures[0]?.reason).toBe('backoff');
    clock.advance(1);
    ecs.on(RunTaskCommand).resolves({ tasks: [awsvpcTask(2)], failures: [] });
    expect((await backend.launch(1)).failures).toEqual([]);
    expect((await backend.launch(1)).failures).toEqual([]); // success reset the back-off

    expect(await ecsStats(backend)).toMatchObject({ launchFailures: 4, failuresByReason: { 'RESOURCE:MEMORY': 4 }, backoffRejections: 3, launched: 4 });
  });

  it('turns a failed RunTask call into one failure per task it should have started', async () => {
    const { backend, ecs } = setup();
    ecs.on(RunTaskCommand).rejects(Object.assign(new Error('bad task definition'), { name: 'ClientException', $metadata: { httpStatusCode: 400 } }));
    const result = await backend.launch(12);
    expect(result.launched).toEqual([]);
    expect(result.failures).toHaveLength(12);
    expect(result.failures[0]?.reason).toBe('ClientException');
  });
});

describe('EcsBackend.stop and markStandby', () => {
  it('truncates the StopTask reason to 255 characters', async () => {
    const { backend, ecs } = setup();
    ecs.on(StopTaskCommand).resolves({});
    await backend.stop(taskArn(1), 'x'.repeat(300));
    const input = ecs.commandCalls(StopTaskCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ cluster: 'default', task: taskArn(1) });
    expect(input?.reason).toHaveLength(255);
  });

  it('treats a task that is already gone as stopped, and other errors as errors', async () => {
    const { backend, ecs } = setup();
    const gone = Object.assign(new Error('The referenced task was not found.'), { name: 'InvalidParameterException', $metadata: { httpStatusCode: 400 } });
    ecs.on(StopTaskCommand).rejects(gone);
    await expect(backend.stop(taskArn(1), 'drained')).resolves.toBeUndefined();
    ecs.on(StopTaskCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } }));
    await expect(backend.stop(taskArn(1), 'drained')).rejects.toMatchObject({ kind: 'permanent' });
  });

  it('round-trips the standby tag through TagResource / UntagResource and list()', async () => {
    const { backend, ecs } = setup({ ecs: makeEcsConfig({ address: 'private' }) });
    const task = awsvpcTask(5);
    ecs.on(ListTasksCommand, { desiredStatus: 'RUNNING' }).resolves({ taskArns: [task.taskArn as string] });
    ecs.on(ListTasksCommand, { desiredStatus: 'STOPPED' }).resolves({ taskArns: [] });
    ecs.on(DescribeTasksCommand).callsFake(() => ({ tasks: [task] }));
    ecs.on(TagResourceCommand).callsFake((input: { tags: { key: string; value: string }[] }) => {
      task.tags = [...(task.tags ?? []), ...input.tags];
      return {};
    });
    ecs.on(UntagResourceCommand).callsFake((input: { tagKeys: string[] }) => {
      task.tags = (task.tags ?? []).filter((t) => !input.tagKeys.includes(t.key ?? ''));
      return {};
    });

    await backend.markStandby(task.taskArn as string, true);
    expect(ecs.commandCalls(TagResourceCommand)[0]?.args[0].input).toEqual({
      resourceArn: task.taskArn,
      tags: [{ key: 'arbiter:standby', value: 'true' }],
    });
    expect((await backend.list())[0]?.standby).toBe(true);
    await backend.markStandby(task.taskArn as string, false);
    expect(ecs.commandCalls(UntagResourceCommand)[0]?.args[0].input).toEqual({ resourceArn: task.taskArn, tagKeys: ['arbiter:standby', 'arbiter:held'] });
    expect((await backend.list())[0]?.standby).toBe(false);
    // An operator's hold is a second tag, written in the same call as standby.
    await backend.markStandby(task.taskArn as string, true, true);
    expect(ecs.commandCalls(TagResourceCommand)[1]?.args[0].input).toEqual({
      resourceArn: task.taskArn,
      tags: [{ key: 'arbiter:standby', value: 'true' }, { key: 'arbiter:held', value: 'true' }],
    });
    expect((await backend.list())[0]).toMatchObject({ standby: true, held: true });
    await backend.markStandby(task.taskArn as string, false);
    expect((await backend.list())[0]).toMatchObject({ standby: false, held: false });
  });
});

describe('EcsBackend construction and close', () => {
  it.each([
    { name: 'fleet id too long', opts: { fleetId: 'x'.repeat(37) }, want: /fleetId/ },
    { name: 'bad port', opts: { ports: { game: 0, web: 3080, health: 3080 } }, want: /ports.game/ },
    { name: 'awsvpc without subnets', opts: { ecs: makeEcsConfig({ subnets: [] }) }, want: /subnet/ },
  ])('rejects $name', ({ opts, want }) => {
    expect(() => makeBackend(opts)).toThrow(want);
  });

  it('close() is idempotent and refuses later calls', async () => {
    const { backend } = setup();
    const a = backend.close();
    expect(backend.close()).toBe(a);
    await a;
    await expect(backend.list()).rejects.toThrow(/closed/);
  });
});
