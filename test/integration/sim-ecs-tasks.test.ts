import { DescribeTasksCommand, ListTasksCommand, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type Sim } from '../../sim/index.js';
import { createSimClients, type SimClients } from '../../sim/sdk-clients.js';
import { waitFor } from '../support/wait.js';

const awsvpc = {
  awsvpcConfiguration: { subnets: ['subnet-1'], assignPublicIp: 'ENABLED' as const },
};

let sim: Sim;
let clients: SimClients;

beforeAll(async () => {
  sim = await startSim({ port: 0, launchLatencyMs: 90, stopLatencyMs: 40, throttling: false });
  clients = createSimClients(sim);
});

afterAll(async () => {
  clients?.destroy();
  await sim?.close();
});

async function runOne(startedBy: string) {
  const out = await clients.ecs.send(
    new RunTaskCommand({ taskDefinition: 'LaunchGameserver', launchType: 'FARGATE', networkConfiguration: awsvpc, startedBy }),
  );
  const arn = out.tasks?.[0]?.taskArn;
  if (!arn) throw new Error('RunTask returned no task');
  return arn;
}

async function describe1(arn: string) {
  const out = await clients.ecs.send(new DescribeTasksCommand({ tasks: [arn], include: ['TAGS'] }));
  const task = out.tasks?.[0];
  if (!task) throw new Error('task not described');
  return task;
}

describe('ECS tasks through the SDK', () => {
  it('walks a task to RUNNING and serves /health/ at its ENI address', async () => {
    const arn = await runOne('fleet-a');
    const seen = new Set<string>();
    const running = await waitFor(async () => {
      const task = await describe1(arn);
      seen.add(task.lastStatus ?? '');
      return task.lastStatus === 'RUNNING' ? task : undefined;
    }, { what: 'RUNNING', intervalMs: 10 });
    expect(seen.has('PROVISIONING') || seen.has('PENDING') || seen.has('ACTIVATING')).toBe(true);
    expect(running.startedAt).toBeInstanceOf(Date);
    expect(running.startedBy).toBe('fleet-a');
    expect(running.group).toBe('family:LaunchGameserver');
    expect(running.containers?.[0]?.name).toBe('gameserver');
    const eni = running.attachments?.find((a) => a.type === 'ElasticNetworkInterface');
    const ip = eni?.details?.find((d) => d.name === 'privateIPv4Address')?.value;
    expect(ip).toMatch(new RegExp(`^${sim.options.ipBase.replace('.', '\\.')}\\.`));
    const health = await fetch(`http://${ip}:3080/health/`);
    expect(await health.json()).toEqual({
      available_capacity: 10,
      ready_to_close: false,
      max_capacity: 10,
      active_sessions: 0,
      draining: false,
    });
  });

  it('stops a task with the reason, walks to STOPPED and closes its listener', async () => {
    const arn = await runOne('fleet-stop');
    await waitFor(async () => (await describe1(arn)).lastStatus === 'RUNNING', { intervalMs: 10 });
    const ip = (await describe1(arn)).containers?.[0]?.networkInterfaces?.[0]?.privateIpv4Address;
    const stopped = await clients.ecs.send(new StopTaskCommand({ task: arn, reason: 'scale in' }));
    expect(stopped.task?.desiredStatus).toBe('STOPPED');
    const final = await waitFor(async () => {
      const task = await describe1(arn);
      return task.lastStatus === 'STOPPED' ? task : undefined;
    }, { intervalMs: 10 });
    expect(final).toMatchObject({ stopCode: 'UserInitiated', stoppedReason: 'scale in' });
    expect(final.stoppedAt).toBeInstanceOf(Date);
    await expect(fetch(`http://${ip}:3080/health/`)).rejects.toThrow();
    const listed = await clients.ecs.send(new ListTasksCommand({ startedBy: 'fleet-stop', desiredStatus: 'STOPPED' }));
    expect(listed.taskArns).toEqual([arn]);
    const running = await clients.ecs.send(new ListTasksCommand({ startedBy: 'fleet-stop' }));
    expect(running.taskArns).toEqual([]);
  });

  it('pages ListTasks with nextToken and returns every task exactly once', async () => {
    const arns = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const out = await clients.ecs.send(
        new RunTaskCommand({ taskDefinition: 'LaunchGameserver', launchType: 'FARGATE', networkConfiguration: awsvpc, startedBy: 'fleet-page', count: 10 }),
      );
      for (const t of out.tasks ?? []) arns.add(t.taskArn ?? '');
    }
    const pages: string[][] = [];
    let nextToken: string | undefined;
    do {
      const out = await clients.ecs.send(new ListTasksCommand({ startedBy: 'fleet-page', maxResults: 7, nextToken }));
      pages.push(out.taskArns ?? []);
      nextToken = out.nextToken;
    } while (nextToken);
    expect(pages.map((p) => p.length)).toEqual([7, 7, 7, 7, 2]);
    expect(new Set(pages.flat())).toEqual(arns);
  });

  it('reports unknown task ARNs as MISSING failures', async () => {
    const arn = await runOne('fleet-missing');
    const ghost = arn.replace(/[0-9a-f]{32}$/, '0'.repeat(32));
    const out = await clients.ecs.send(new DescribeTasksCommand({ tasks: [arn, ghost] }));
    expect(out.tasks?.map((t) => t.taskArn)).toEqual([arn]);
    expect(out.failures).toEqual([{ arn: ghost, reason: 'MISSING' }]);
  });
});
