// The Backend contract against local mode (real demo gameserver processes; needs `npm run build`)
// and against the ECS backend over the simulator.
import { createSilentLogger } from '../../src/shared/log.js';
import { LocalBackend } from '../../src/local/local-backend.js';
import { startSim, type Sim } from '../../sim/index.js';
import { runBackendContract } from './backend-contract.js';
import { SimBackends } from './backend-contract-sim.js';

runBackendContract('LocalBackend', {
  makeBackend: () => new LocalBackend({ capacity: 3, sessionMs: 30_000, stopGraceMs: 2000, logger: createSilentLogger() }),
  unknownId: 'local-999',
});

let sim: Sim | null = null;
let backends: SimBackends | null = null;
runBackendContract('EcsBackend over the simulator', {
  makeBackend: async () => {
    sim = await startSim({ port: 0, launchLatencyMs: 60, stopLatencyMs: 30 });
    backends = new SimBackends(sim);
    return backends.make();
  },
  cleanup: async () => {
    await backends?.close();
    await sim?.close();
    backends = null;
    sim = null;
  },
  unknownId: 'arn:aws:ecs:us-east-1:123456789012:task/default/ffffffffffffffffffffffffffffffff',
});
