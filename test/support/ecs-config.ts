// ECS settings that point EcsBackend at the simulator's fixtures (cluster `default`, `LaunchGameserver`,
// Fargate + awsvpc); overrides switch to EC2, bridge or another address choice. Also the seed's bridge revision.
import { RegisterTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import type { EcsConfig } from '../../src/aws/ecs-options.js';

export function makeEcsConfig(overrides: Partial<EcsConfig> = {}): EcsConfig {
  return {
    region: 'us-east-1',
    cluster: 'default',
    taskDefinition: 'LaunchGameserver',
    containerName: undefined,
    launchType: 'FARGATE',
    capacityProviders: [],
    networkMode: 'awsvpc',
    subnets: ['subnet-sim'],
    securityGroups: [],
    assignPublicIp: true,
    address: 'public',
    pollAddress: 'private',
    instanceLaunchTemplate: undefined,
    ...overrides,
  };
}

/** Registers a gameserver revision with bridge networking and dynamic host ports, as the seed's EC2 fleet had. */
export async function registerBridgeDefinition(ecs: ECSClient, family = 'LaunchGameserver'): Promise<void> {
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family,
      networkMode: 'bridge',
      requiresCompatibilities: ['EC2'],
      containerDefinitions: [
        {
          name: 'gameserver',
          image: 'siggame/cerveau',
          memory: 512,
          portMappings: [
            { containerPort: 3000, hostPort: 0, protocol: 'tcp' },
            { containerPort: 3080, hostPort: 0, protocol: 'tcp' },
          ],
        },
      ],
    }),
  );
}
