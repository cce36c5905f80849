// SDK clients with bounded retries and request timeouts. Region, credentials and endpoints come from
// the SDK's own chain (AWS_REGION, profiles, AWS_ENDPOINT_URL_ECS / AWS_ENDPOINT_URL_EC2).
import type { ECSClient as EcsClientType } from '@aws-sdk/client-ecs';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient, ec2Sdk } from './sdk.js';

export interface ClientOptions {
  region?: string | undefined;
  /** Attempts per call including the first; the SDK backs off between them. */
  maxAttempts?: number;
  requestTimeoutMs?: number;
  connectionTimeoutMs?: number;
}

function sdkConfig(options: ClientOptions) {
  return {
    ...(options.region ? { region: options.region } : {}),
    maxAttempts: options.maxAttempts ?? 3,
    // Adaptive mode also slows the client down after throttling answers, on top of our own buckets.
    retryMode: 'adaptive',
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? 3_000,
      requestTimeout: options.requestTimeoutMs ?? 10_000,
      throwOnRequestTimeout: true,
    },
  };
}

export function createEcsClient(options: ClientOptions = {}): EcsClientType {
  return new ECSClient(sdkConfig(options));
}

/** What the backend uses of an EC2 client. */
export type Ec2Client = Pick<EC2Client, 'send' | 'destroy'>;

/** An EC2 client that loads the EC2 package and builds the SDK client at its first call (see sdk.ts). */
export function createEc2Client(options: ClientOptions = {}): Ec2Client {
  let client: EC2Client | undefined;
  const real = (): EC2Client => (client ??= new (ec2Sdk().EC2Client)(sdkConfig(options)));
  return {
    send: ((...args: Parameters<EC2Client['send']>) => real().send(...args)) as EC2Client['send'],
    destroy: () => client?.destroy(),
  };
}
