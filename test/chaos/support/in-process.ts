// A Manager with the real ECS backend and HTTP prober, in this process, against a simulator: for chaos
// tests that need to look inside the fleet at the moment something happens.
import { ECSClient } from '@aws-sdk/client-ecs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EcsBackend } from '../../../src/aws/ecs-backend.js';
import type { EcsConfig } from '../../../src/aws/ecs-options.js';
import { systemClock } from '../../../src/shared/clock.js';
import { Manager } from '../../../src/manager/manager.js';
import { createManager } from '../../../src/manager/create-manager.js';
import { HttpProber } from '../../../src/manager/prober.js';
import type { Sim } from '../../../sim/index.js';
import { makeManagerConfig, type ManagerConfigOverrides } from '../../support/factories.js';
import { createCaptureLogger, type CaptureLogger } from './capture-logger.js';
import { makeEcsConfig } from '../../support/ecs-config.js';

export interface InProcessFleet {
  manager: Manager;
  backend: EcsBackend;
  capture: CaptureLogger;
  close(): Promise<void>;
}

export function simEcsConfig(): EcsConfig {
  return makeEcsConfig();
}

/** Starts a manager for `fleetId` on `endpoint` (the sim, or a fault proxy in front of it). */
export async function startInProcessFleet(
  sim: Sim,
  fleetId: string,
  overrides: ManagerConfigOverrides,
  endpoint: string = sim.url,
): Promise<InProcessFleet> {
  const common = {
    endpoint,
    region: sim.options.region,
    credentials: { accessKeyId: 'AKIACHAOS0000000000', secretAccessKey: 'chaos' },
    maxAttempts: 3,
  };
  const ecsClient = new ECSClient(common);
  const ec2Client = new EC2Client(common);
  const capture = createCaptureLogger();
  const config = makeManagerConfig({ backup: null, ...overrides });
  const backend = new EcsBackend({
    ecs: simEcsConfig(),
    fleetId,
    ports: { game: 3000, web: 3080, health: 3080 },
    logger: capture.logger,
    clock: systemClock,
    ecsClient,
    ec2Client,
  });
  const prober = new HttpProber({ timeoutMs: config.health.timeoutMs });
  const manager = createManager({ config, backend, prober, clock: systemClock, logger: capture.logger });
  await manager.start();
  let closing: Promise<void> | null = null;
  return {
    manager,
    backend,
    capture,
    close: () => {
      closing ??= (async () => {
        for (const step of [() => manager.close(), () => backend.close(), () => prober.close()]) {
          try {
            await step();
          } catch {
            // best effort: the next step still runs
          }
        }
        ecsClient.destroy();
        ec2Client.destroy();
      })();
      return closing;
    },
  };
}
