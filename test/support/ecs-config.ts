// ECS settings that point EcsBackend at the simulator's fixtures (cluster `default`, `LaunchGameserver`,
// Fargate + awsvpc); overrides switch to EC2, bridge or another address choice.
import type { EcsConfig } from '../../src/config/config.js';

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
