import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { DescribeTasksCommand, ListTasksCommand, RunTaskCommand, TagResourceCommand } from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSim, type Sim } from '../../sim/index.js';
import { createSimClients, type SimClients } from '../../sim/sdk-clients.js';
import { waitFor } from '../support/wait.js';

const base = {
  taskDefinition: 'LaunchGameserver',
  launchType: 'FARGATE' as const,
  networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], assignPublicIp: 'ENABLED' as const } },
};

let sim: Sim;
let clients: SimClients;

beforeEach(async () => {
  sim = await startSim({ port: 0, launchLatencyMs: 30, stopLatencyMs: 10 });
  clients = createSimClients(sim);
});

afterEach(async () => {
  clients?.destroy();
  await sim?.close();
});

// Admin answers are JSON of known shapes; the tests read the fields they check.
async function admin(path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${sim.url}/_sim/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return res.json();
}

async function runningTask(): Promise<{ id: string; arn: string; address: string }> {
  const out = await clients.ecs.send(new RunTaskCommand(base));
  const arn = out.tasks?.[0]?.taskArn ?? '';
  return waitFor(async () => {
    const { tasks } = await admin('tasks');
    const t = tasks.find((x: { arn: string }) => x.arn === arn);
    return t?.lastStatus === 'RUNNING' ? t : undefined;
  }, { intervalMs: 10 });
}

describe('throttling', () => {
  it('answers the 101st read in a burst with ThrottlingException, counted in /_sim/calls', async () => {
    const started = performance.now();
    const results = await Promise.allSettled(Array.from({ length: 120 }, () => clients.ecs.send(new ListTasksCommand({}))));
    const seconds = (performance.now() - started) / 1000;
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    // Burst 100 plus 20 per second of refill while the calls were in flight.
    expect(120 - rejected.length).toBeLessThanOrEqual(100 + Math.ceil(20 * seconds));
    expect(120 - rejected.length).toBeGreaterThanOrEqual(100);
    expect(rejected[0]?.reason).toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    const calls = await admin('calls');
    expect(calls.calls.ListTasks).toBe(120);
    expect(calls.throttled.ListTasks).toBe(rejected.length);
  });

  it('throttles TagResource after a burst of 20, independently of reads', async () => {
    const task = await runningTask();
    const started = performance.now();
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        clients.ecs.send(new TagResourceCommand({ resourceArn: task.arn, tags: [{ key: `k${i}`, value: 'v' }] })),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    const accepted = results.filter((r) => r.status === 'fulfilled').length;
    expect(accepted).toBeGreaterThanOrEqual(20);
    expect(accepted).toBeLessThanOrEqual(20 + Math.ceil(10 * seconds));
    expect(accepted).toBeLessThan(40);
    await clients.ecs.send(new DescribeTasksCommand({ tasks: [task.arn] }));
  });

  it('answers EC2 over its bucket with HTTP 503 RequestLimitExceeded', async () => {
    const results = await Promise.allSettled(Array.from({ length: 110 }, () => clients.ec2.send(new DescribeInstancesCommand({}))));
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected[0]?.reason).toMatchObject({ name: 'RequestLimitExceeded', $metadata: { httpStatusCode: 503 } });
  });

  it('can be switched off through the admin API', async () => {
    await admin('faults', { throttling: false });
    const results = await Promise.allSettled(Array.from({ length: 150 }, () => clients.ecs.send(new ListTasksCommand({}))));
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
  });
});

describe('faults', () => {
  it('kills a task: STOPPED with the reason, EssentialContainerExited', async () => {
    const task = await runningTask();
    await admin(`tasks/${task.id}/kill`, { reason: 'Essential container in task exited' });
    const stopped = await waitFor(async () => {
      const out = await clients.ecs.send(new DescribeTasksCommand({ tasks: [task.arn] }));
      return out.tasks?.[0]?.lastStatus === 'STOPPED' ? out.tasks[0] : undefined;
    }, { intervalMs: 10 });
    expect(stopped).toMatchObject({ stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited' });
    expect(stopped.containers?.[0]?.exitCode).toBe(1);
  });

  it('serves unparseable health in mode garbage', async () => {
    const task = await runningTask();
    await admin(`tasks/${task.id}/gameserver`, { mode: 'garbage' });
    const res = await fetch(`http://${task.address}:3080/health/`);
    expect(res.status).toBe(200);
    await expect(res.json()).rejects.toThrow();
  });

  it('refuses connections in mode down and times out in mode hang', async () => {
    const task = await runningTask();
    await admin(`tasks/${task.id}/gameserver`, { mode: 'down' });
    await expect(fetch(`http://${task.address}:3080/health/`)).rejects.toThrow();
    await admin(`tasks/${task.id}/gameserver`, { mode: 'hang' });
    await expect(fetch(`http://${task.address}:3080/health/`, { signal: AbortSignal.timeout(150) })).rejects.toThrow();
  });

  it('reports sessions, drain and /setup through the health contract', async () => {
    const task = await runningTask();
    await admin(`tasks/${task.id}/gameserver`, { sessions: 3, capacity: 4 });
    const setup = await fetch(`http://${task.address}:3080/setup`, { method: 'POST', body: '{}' });
    expect(setup.status).toBe(200);
    const full = await fetch(`http://${task.address}:3080/setup`, { method: 'POST', body: '{}' });
    expect(full.status).toBe(400);
    expect(await (await fetch(`http://${task.address}:3080/health/`)).json()).toMatchObject({
      available_capacity: 0,
      active_sessions: 4,
      ready_to_close: false,
    });
    await admin(`tasks/${task.id}/gameserver`, { sessions: 0 });
    await fetch(`http://${task.address}:3080/drain/`, { method: 'POST' });
    expect(await (await fetch(`http://${task.address}:3080/health/`)).json()).toMatchObject({
      available_capacity: 0,
      ready_to_close: true,
      draining: true,
    });
  });

  it('fails the next N tasks of RunTask with the injected reason', async () => {
    await admin('faults', { runTaskFailures: { reason: 'RESOURCE:MEMORY', remaining: 3 } });
    const out = await clients.ecs.send(new RunTaskCommand({ ...base, count: 5 }));
    expect(out.tasks).toHaveLength(2);
    expect(out.failures?.map((f) => f.reason)).toEqual(['RESOURCE:MEMORY', 'RESOURCE:MEMORY', 'RESOURCE:MEMORY']);
    const again = await clients.ecs.send(new RunTaskCommand(base));
    expect(again.failures).toEqual([]);
  });

  it('answers every call with ServerException at errorRate 1', async () => {
    await admin('faults', { errorRate: 1 });
    await expect(clients.ecs.send(new ListTasksCommand({}))).rejects.toMatchObject({
      name: 'ServerException',
      $metadata: { httpStatusCode: 500 },
    });
    await expect(clients.ec2.send(new DescribeInstancesCommand({}))).rejects.toMatchObject({ name: 'InternalError' });
    const calls = await admin('calls');
    expect(calls.errors).toEqual({ ListTasks: 1, DescribeInstances: 1 });
    await admin('reset-counters', {});
    expect(await admin('calls')).toEqual({ calls: {}, throttled: {}, errors: {} });
  });

  it('creates stray tasks through the admin API', async () => {
    const { tasks } = await admin('tasks', { startedBy: 'stray', count: 3 });
    expect(tasks).toHaveLength(3);
    const listed = await clients.ecs.send(new ListTasksCommand({ startedBy: 'stray' }));
    expect(listed.taskArns).toHaveLength(3);
  });
});
