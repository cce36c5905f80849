// EcsBackends aimed at an in-process simulator: the SDK clients, the config and the bridge task
// definition that the ECS integration tests and the backend contract share.
import { RunInstancesCommand } from '@aws-sdk/client-ec2';
import { Registry } from 'prom-client';
import { EcsBackend, type EcsBackendOptions } from '../../src/aws/ecs-backend.js';
import type { EcsConfig } from '../../src/aws/ecs-options.js';
import { createSilentLogger } from '../../src/shared/log.js';
import { systemClock } from '../../src/shared/clock.js';
import { Manager } from '../../src/manager/manager.js';
import { createManagerMetrics } from '../../src/manager/metrics.js';
import { createManager } from '../../src/manager/create-manager.js';
import { HttpProber } from '../../src/manager/prober.js';
import type { Sim } from '../../sim/index.js';
import { createSimClients, type SimClients } from '../../sim/sdk-clients.js';
import { makeManagerConfig, type ManagerConfigOverrides } from '../support/factories.js';
import { waitFor } from '../support/wait.js';
import { makeEcsConfig as makeSimEcsConfig, registerBridgeDefinition } from '../support/ecs-config.js';
import { recordRegistry } from '../support/ecs-stats.js';

export const SIM_PORTS = { game: 3000, web: 3080, health: 3080 };

/** Fargate + awsvpc against the sim's `LaunchGameserver:1`; overrides switch to EC2 and bridge. */
export const simEcsConfig = makeSimEcsConfig;

/** The seed's EC2 mode: launch template `defaultECS`, bridge networking, EC2 launch type. */
export function seedEc2Config(overrides: Partial<EcsConfig> = {}): EcsConfig {
  return simEcsConfig({ launchType: 'EC2', networkMode: 'bridge', subnets: [], instanceLaunchTemplate: 'defaultECS', ...overrides });
}

/**
 * Builds EcsBackends over one simulator with its own SDK clients (retries off, so that a
 * throttled call shows) and closes them all in `close()`.
 */
export class SimBackends {
  readonly clients: SimClients;
  private readonly open: EcsBackend[] = [];

  constructor(readonly sim: Sim) {
    this.clients = createSimClients(sim);
  }

  make(options: Partial<EcsBackendOptions> & { fleetId?: string } = {}): EcsBackend {
    const registry = options.registry ?? new Registry();
    const backend = new EcsBackend({
      ecs: simEcsConfig(),
      fleetId: 'fleet-it',
      ports: SIM_PORTS,
      logger: createSilentLogger(),
      clock: systemClock,
      ecsClient: this.clients.ecs,
      ec2Client: this.clients.ec2,
      ...options,
      registry,
    });
    recordRegistry(backend, registry);
    this.open.push(backend);
    return backend;
  }

  /** A `LaunchGameserver` revision with bridge networking and dynamic host ports, as the seed registered. */
  async registerBridgeDefinition(family = 'LaunchGameserver'): Promise<void> {
    await registerBridgeDefinition(this.clients.ecs, family);
  }


  /** Starts `count` container instances from the launch template and waits until they joined. */
  async addInstances(count: number): Promise<string[]> {
    const out = await this.clients.ec2.send(
      new RunInstancesCommand({ LaunchTemplate: { LaunchTemplateName: 'defaultECS' }, MinCount: count, MaxCount: count }),
    );
    const ids = (out.Instances ?? []).map((i) => i.InstanceId ?? '');
    await waitFor(
      () => ids.every((id) => this.sim.admin.instances().some((i) => i.instanceId === id && i.containerInstanceStatus === 'ACTIVE')),
      { what: 'instances joined' },
    );
    return ids;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.open.splice(0).map((b) => b.close()));
    this.clients.destroy();
  }
}

export interface SimManager {
  manager: Manager;
  backend: EcsBackend;
  /** One tick, its background actions, then one round of polls. */
  step(): Promise<void>;
  /** Steps until `predicate` holds. */
  until<T>(predicate: () => T | Promise<T>, what: string, timeoutMs?: number): Promise<NonNullable<T>>;
  close(): Promise<void>;
}

/**
 * A real Manager (HttpProber, system clock, silent logger) over an EcsBackend over the sim, not
 * started: tests drive it one step at a time. Full resyncs are rare, so ticks use refresh().
 */
export function makeSimManager(
  backends: SimBackends,
  overrides: ManagerConfigOverrides = {},
  backendOptions: Partial<EcsBackendOptions> = {},
): SimManager {
  // One registry for the manager and its backend, as in production.
  const metrics = createManagerMetrics(backendOptions.registry ?? new Registry());
  const backend = backends.make({ ...backendOptions, registry: metrics.registry });
  const prober = new HttpProber({ timeoutMs: 1000 });
  const config = makeManagerConfig({
    ...overrides,
    scaling: { minServers: 1, sleepMs: 1000, ...overrides.scaling },
    health: { resyncIntervalMs: 3_600_000, startTimeoutMs: 30_000, ...overrides.health },
    backup: overrides.backup ?? null,
  });
  const manager = createManager({ config, backend, prober, clock: systemClock, logger: createSilentLogger(), metrics });
  const step = async (): Promise<void> => {
    await manager.runTick();
    await manager.settle();
    await manager.runPolls();
  };
  let closing: Promise<void> | null = null;
  return {
    manager,
    backend,
    step,
    until: (predicate, what, timeoutMs = 15_000) =>
      waitFor(async () => {
        await step();
        return predicate();
      }, { what, timeoutMs, intervalMs: 20 }),
    close: () => {
      closing ??= (async () => {
        await manager.close();
        await backend.close();
        await prober.close();
      })();
      return closing;
    },
  };
}
