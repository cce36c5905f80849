// What the benchmarks need around the simulator: ECS settings that point EcsBackend at its fixtures
// (cluster default, LaunchGameserver) and closing it.
import type { Sim } from '../sim/index.js';

export { makeEcsConfig as simEcsConfig } from '../test/support/ecs-config.js';

/** Closes the simulator; every task's listener goes with it. */
export async function stopSim(sim: Sim): Promise<void> {
  await sim.close();
}
