// What the benchmarks need around the simulator: an EcsBackend pointed at its fixtures (cluster default,
// LaunchGameserver, awsvpc) through its SDK clients, and closing it.
import { EcsBackend, type EcsBackendOptions } from '../src/aws/ecs-backend.js';
import type { Logger } from '../src/shared/log.js';
import { systemClock } from '../src/shared/clock.js';
import { startSim, type Sim } from '../sim/index.js';
import type { createSimClients } from '../sim/sdk-clients.js';
import { makeEcsConfig } from '../test/support/ecs-config.js';
import { createSilentLogger } from '../src/shared/log.js';
import { waitFor } from '../test/support/wait.js';
import { NAME_TAG } from '../src/aws/task-records.js';
import { namesForLaunch } from '../src/proxy/names.js';
import { DEFAULT_NAME_WORDS } from '../src/shared/server-name-words.js';

export { makeEcsConfig as simEcsConfig } from '../test/support/ecs-config.js';

/** An EcsBackend for `fleetId` over the simulator's clients, with the fixtures' ports; `extra` overrides options. */
export function simBackend(
  clients: ReturnType<typeof createSimClients>,
  fleetId: string,
  logger: Logger,
  extra: Partial<EcsBackendOptions> = {},
): EcsBackend {
  return new EcsBackend({
    ecs: makeEcsConfig(),
    fleetId,
    ports: { game: 3000, web: 3080, health: 3080 },
    logger,
    clock: systemClock,
    ecsClient: clients.ecs,
    ec2Client: clients.ec2,
    ...extra,
  });
}

/** Closes the simulator; every task's listener goes with it. */
export async function stopSim(sim: Sim): Promise<void> {
  await sim.close();
}

/** The names a manager of `fleetId` gives its servers (FLEET_ID-word, the default word list). */
export const fleetNames = (fleetId: string) => ({ prefix: fleetId, words: DEFAULT_NAME_WORDS });

/**
 * A simulator (throttling off, listeners in `workers` processes) holding `tasks` RUNNING tasks started by `fleetId`,
 * each gameserver with `seats` seats. Each task carries the name tag the manager would have given it at launch, so
 * a manager that adopts the fleet finds it steady (tasks without names get their tags written in the background, a
 * one-time job of one TagResource per task).
 */
export async function startRunningFleet(fleetId: string, tasks: number, workers: number, seats = 10): Promise<Sim> {
  const sim = await startSim({ port: 0, launchLatencyMs: 50, stopLatencyMs: 10, throttling: false, workers, defaultCapacity: seats }, createSilentLogger());
  try {
    for (const name of namesForLaunch(fleetNames(fleetId), [], [], tasks)) sim.admin.createTasks({ startedBy: fleetId, count: 1, tags: { [NAME_TAG]: name } });
    await waitFor(() => sim.admin.tasks().every((t) => t.lastStatus === 'RUNNING'), { timeoutMs: 120_000, intervalMs: 250, what: 'tasks RUNNING' });
    return sim;
  } catch (err) {
    await stopSim(sim);
    throw err;
  }
}
