// SDK v3 clients aimed at a simulator, with dummy credentials: what tests and benchmarks use to talk to it.
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { S3Client } from '@aws-sdk/client-s3';
import type { Sim } from './index.js';

export interface SimClients {
  ecs: ECSClient;
  ec2: EC2Client;
  destroy(): void;
}

export function createSimClients(sim: Pick<Sim, 'url' | 'options'>, maxAttempts = 1): SimClients {
  const common = {
    endpoint: sim.url,
    region: sim.options.region,
    credentials: { accessKeyId: 'AKIASIMULATOR000000', secretAccessKey: 'simulator-secret' },
    maxAttempts,
  };
  const ecs = new ECSClient(common);
  const ec2 = new EC2Client(common);
  return {
    ecs,
    ec2,
    destroy: () => {
      ecs.destroy();
      ec2.destroy();
    },
  };
}

/** An S3 client for the simulator's path-style S3 (what the arena's s3:// log store uses). */
export function createSimS3Client(sim: Pick<Sim, 'url' | 'options'>, maxAttempts = 1): S3Client {
  return new S3Client({
    endpoint: sim.url,
    region: sim.options.region,
    forcePathStyle: true,
    credentials: { accessKeyId: 'AKIASIMULATOR000000', secretAccessKey: 'simulator-secret' },
    maxAttempts,
  });
}
