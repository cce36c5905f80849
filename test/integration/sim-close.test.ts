import { RunTaskCommand } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { startSim } from '../../sim/index.js';
import { createSimClients } from '../../sim/sdk-clients.js';
import { connectionRefused as refused, waitFor } from '../support/wait.js';

describe('simulator close', () => {
  it('releases the listener of every running task, including tasks nobody connected to', async () => {
    const sim = await startSim({ launchLatencyMs: 10, throttling: false });
    const clients = createSimClients(sim);
    try {
      await clients.ecs.send(
        new RunTaskCommand({
          cluster: 'default',
          taskDefinition: 'LaunchGameserver',
          count: 3,
          launchType: 'FARGATE',
          startedBy: 'close-test',
          networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-sim'] } },
        }),
      );
      const running = await waitFor(() => {
        const tasks = sim.admin.tasks().filter((t) => t.lastStatus === 'RUNNING' && t.address);
        return tasks.length === 3 ? tasks : null;
      }, { what: 'three running tasks' });
      // Nobody has connected to these tasks; close() must still release them.
      await sim.close();
      for (const t of running) expect(await refused(t.address as string, t.ports.web as number)).toBe(true);
    } finally {
      clients.destroy();
      await sim.close();
    }
  });
});
