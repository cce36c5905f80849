import {
  DescribeTasksCommand,
  ListTagsForResourceCommand,
  ListTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type RunTaskCommandInput,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type Sim } from '../../sim/index.js';
import { createSimClients, type SimClients } from '../../sim/sdk-clients.js';

const base: RunTaskCommandInput = {
  taskDefinition: 'LaunchGameserver',
  launchType: 'FARGATE',
  networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], assignPublicIp: 'ENABLED' } },
};

const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `v${i}` }));

let sim: Sim;
let clients: SimClients;

beforeAll(async () => {
  sim = await startSim({ port: 0, launchLatencyMs: 30, stopLatencyMs: 10, throttling: false });
  clients = createSimClients(sim);
});

afterAll(async () => {
  clients?.destroy();
  await sim?.close();
});

async function errorOf(promise: Promise<unknown>): Promise<{ name: string; status?: number }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { name: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

describe('ECS limits answer with the real error codes', () => {
  it.each([
    { name: 'count 11', input: { ...base, count: 11 }, code: 'InvalidParameterException' },
    { name: 'count 0', input: { ...base, count: 0 }, code: 'InvalidParameterException' },
    { name: '51 tags', input: { ...base, tags: tags(51) }, code: 'InvalidParameterException' },
    { name: 'startedBy of 129 characters', input: { ...base, startedBy: 'x'.repeat(129) }, code: 'InvalidParameterException' },
    { name: 'startedBy with a space', input: { ...base, startedBy: 'a b' }, code: 'InvalidParameterException' },
    { name: 'awsvpc without network configuration', input: { ...base, networkConfiguration: undefined }, code: 'InvalidParameterException' },
    { name: 'unknown task definition', input: { ...base, taskDefinition: 'Nope' }, code: 'ClientException' },
    { name: 'unknown cluster', input: { ...base, cluster: 'nope' }, code: 'ClusterNotFoundException' },
    {
      name: 'launch type and capacity provider strategy',
      input: { ...base, capacityProviderStrategy: [{ capacityProvider: 'FARGATE' }] },
      code: 'InvalidParameterException',
    },
    { name: 'EC2 launch type with no container instances', input: { ...base, launchType: 'EC2' as const }, code: 'InvalidParameterException' },
  ])('RunTask rejects $name', async ({ input, code }) => {
    expect(await errorOf(clients.ecs.send(new RunTaskCommand(input)))).toEqual({ name: code, status: 400 });
  });

  it('accepts exactly 10 tasks, 50 tags and a 128-character startedBy', async () => {
    const out = await clients.ecs.send(new RunTaskCommand({ ...base, count: 10, tags: tags(50), startedBy: 's'.repeat(128) }));
    expect(out.tasks).toHaveLength(10);
    expect(out.failures).toEqual([]);
  });

  it('rejects more than 100 tasks in DescribeTasks and accepts 100', async () => {
    const arns = Array.from({ length: 101 }, (_, i) => `arn:aws:ecs:us-east-1:123456789012:task/default/${String(i).padStart(32, '0')}`);
    expect(await errorOf(clients.ecs.send(new DescribeTasksCommand({ tasks: arns })))).toEqual({
      name: 'InvalidParameterException',
      status: 400,
    });
    const out = await clients.ecs.send(new DescribeTasksCommand({ tasks: arns.slice(0, 100) }));
    expect(out.failures).toHaveLength(100);
  });

  it('rejects a stop reason over 255 characters and an unknown task', async () => {
    const run = await clients.ecs.send(new RunTaskCommand(base));
    const arn = run.tasks?.[0]?.taskArn ?? '';
    expect(await errorOf(clients.ecs.send(new StopTaskCommand({ task: arn, reason: 'r'.repeat(256) })))).toMatchObject({
      name: 'InvalidParameterException',
    });
    expect(await errorOf(clients.ecs.send(new StopTaskCommand({ task: 'f'.repeat(32) })))).toMatchObject({
      name: 'InvalidParameterException',
    });
    const ok = await clients.ecs.send(new StopTaskCommand({ task: arn, reason: 'r'.repeat(255) }));
    expect(ok.task?.stoppedReason).toBe('r'.repeat(255));
  });

  it('rejects maxResults above 100 and a forged nextToken', async () => {
    expect(await errorOf(clients.ecs.send(new ListTasksCommand({ maxResults: 101 })))).toMatchObject({ name: 'InvalidParameterException' });
    expect(await errorOf(clients.ecs.send(new ListTasksCommand({ nextToken: '%%%' })))).toMatchObject({ name: 'InvalidParameterException' });
  });
});

describe('task tags', () => {
  it('tags and untags a task, and DescribeTasks shows tags only with include TAGS', async () => {
    const run = await clients.ecs.send(new RunTaskCommand({ ...base, tags: [{ key: 'fleet', value: 'f1' }] }));
    const arn = run.tasks?.[0]?.taskArn ?? '';
    await clients.ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'standby', value: 'true' }] }));
    const listed = await clients.ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }));
    expect(listed.tags).toEqual([
      { key: 'fleet', value: 'f1' },
      { key: 'standby', value: 'true' },
    ]);
    await clients.ecs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['standby'] }));
    const withTags = await clients.ecs.send(new DescribeTasksCommand({ tasks: [arn], include: ['TAGS'] }));
    expect(withTags.tasks?.[0]?.tags).toEqual([{ key: 'fleet', value: 'f1' }]);
    const withoutTags = await clients.ecs.send(new DescribeTasksCommand({ tasks: [arn] }));
    expect(withoutTags.tasks?.[0]?.tags ?? []).toEqual([]);
  });

  it('refuses to go over 50 tags on one task', async () => {
    const run = await clients.ecs.send(new RunTaskCommand({ ...base, tags: tags(49) }));
    const arn = run.tasks?.[0]?.taskArn ?? '';
    await clients.ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'one-more', value: 'x' }] }));
    expect(
      await errorOf(clients.ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'too-many', value: 'x' }] }))),
    ).toMatchObject({ name: 'InvalidParameterException' });
    const listed = await clients.ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }));
    expect(listed.tags).toHaveLength(50);
  });
});
