// Builders shared by the ECS backend unit tests.
import { ECSClient, type Task } from '@aws-sdk/client-ecs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { Registry } from 'prom-client';
import type { EcsConfig } from '../../src/aws/ecs-options.js';
import { createSilentLogger } from '../../src/shared/log.js';
import { ManualClock } from '../support/manual-clock.js';
import { EcsBackend, type EcsBackendOptions } from '../../src/aws/ecs-backend.js';
import { makeEcsConfig as makeSimEcsConfig } from '../support/ecs-config.js';
import { recordRegistry } from '../support/ecs-stats.js';

export const FLEET = 'fleet-a';
export const PORTS = { game: 3000, web: 3080, health: 3080 };

export function makeEcsConfig(overrides: Partial<EcsConfig> = {}): EcsConfig {
  return makeSimEcsConfig({ subnets: ['subnet-1'], securityGroups: ['sg-1'], ...overrides });
}

export function taskArn(n: number): string {
  return `arn:aws:ecs:us-east-1:123456789012:task/default/${n.toString(16).padStart(32, '0')}`;
}

export function awsvpcTask(n: number, overrides: Partial<Task> = {}): Task {
  return {
    taskArn: taskArn(n),
    startedBy: FLEET,
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    createdAt: new Date(1_700_000_000_000 + n),
    tags: [{ key: 'arbiter:fleet', value: FLEET }],
    attachments: [
      {
        type: 'ElasticNetworkInterface',
        details: [
          { name: 'networkInterfaceId', value: `eni-${n}` },
          { name: 'privateIPv4Address', value: `10.0.0.${n % 250}` },
        ],
      },
    ],
    ...overrides,
  };
}

export function makeBackend(overrides: Partial<EcsBackendOptions> = {}) {
  const ecsClient = new ECSClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const ec2Client = new EC2Client({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const ecs = mockClient(ecsClient);
  const ec2 = mockClient(ec2Client);
  const clock = new ManualClock();
  const registry = overrides.registry ?? new Registry();
  const backend = new EcsBackend({
    ecs: makeEcsConfig(),
    fleetId: FLEET,
    ports: PORTS,
    logger: createSilentLogger(),
    clock,
    ecsClient,
    ec2Client,
    ...overrides,
    registry,
  });
  recordRegistry(backend, registry);
  return { backend, ecs, ec2, clock, registry };
}
