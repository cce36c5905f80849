import { DescribeTasksCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type Sim } from '../../sim/index.js';
import { createSimClients, type SimClients } from '../../sim/sdk-clients.js';
import { waitFor } from '../support/wait.js';

const TASKS = 2000;

let sim: Sim;
let clients: SimClients;

beforeAll(async () => {
  sim = await startSim({ port: 0, launchLatencyMs: 200, stopLatencyMs: 10, throttling: false });
  clients = createSimClients(sim);
});

afterAll(async () => {
  clients?.destroy();
  await sim?.close();
});

describe('scale', () => {
  it(`runs ${TASKS} gameservers in one simulator and lists them quickly`, async () => {
    for (let i = 0; i < TASKS / 1000; i++) sim.admin.createTasks({ startedBy: 'big-fleet', count: 1000 });
    await waitFor(() => sim.admin.tasks().every((t) => t.lastStatus === 'RUNNING'), { timeoutMs: 20_000, what: 'all RUNNING' });

    const started = performance.now();
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await clients.ecs.send(new ListTasksCommand({ startedBy: 'big-fleet', nextToken }));
      arns.push(...(page.taskArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    const described = await Promise.all(
      Array.from({ length: arns.length / 100 }, (_, i) =>
        clients.ecs.send(new DescribeTasksCommand({ tasks: arns.slice(i * 100, (i + 1) * 100), include: ['TAGS'] })),
      ),
    );
    const elapsed = performance.now() - started;
    expect(arns).toHaveLength(TASKS);
    expect(described.flatMap((d) => d.tasks ?? []).filter((t) => t.lastStatus === 'RUNNING')).toHaveLength(TASKS);
    expect(elapsed).toBeLessThan(5000);

    const sample = sim.admin.tasks().filter((_, i) => i % 400 === 0);
    for (const task of sample) {
      const res = await fetch(`http://${task.address}:${task.ports.web}/health/`);
      expect(res.status).toBe(200);
    }
  });
});
