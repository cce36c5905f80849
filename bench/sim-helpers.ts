// What the benchmarks need around the simulator: ECS settings that point EcsBackend at its fixtures
// (cluster default, LaunchGameserver) and a close that leaves nothing listening.
import type { EcsConfig } from '../src/config/config.js';
import type { Sim } from '../sim/index.js';
import { waitFor } from '../test/support/wait.js';

export function simEcsConfig(overrides: Partial<EcsConfig> = {}): EcsConfig {
  return {
    region: 'us-east-1',
    cluster: 'default',
    taskDefinition: 'LaunchGameserver',
    containerName: undefined,
    launchType: 'FARGATE',
    capacityProviders: [],
    networkMode: 'awsvpc',
    subnets: ['subnet-0sim0000000000001'],
    securityGroups: [],
    assignPublicIp: true,
    address: 'public',
    instanceLaunchTemplate: undefined,
    ...overrides,
  };
}

/**
 * Stops every task, waits until each is STOPPED, then closes the simulator. Closing alone leaves the
 * listeners of tasks that never had a connection bound (GameserverHost.close only closes tasks with
 * sockets), which would keep the benchmark process alive.
 */
export async function stopSim(sim: Sim): Promise<void> {
  try {
    for (const task of sim.admin.tasks()) if (task.desiredStatus !== 'STOPPED') sim.admin.kill(task.id, 'benchmark finished');
    await waitFor(() => sim.admin.tasks().every((t) => t.lastStatus === 'STOPPED'), { timeoutMs: 15_000, what: 'simulated tasks stopped' });
  } finally {
    await sim.close();
  }
}
