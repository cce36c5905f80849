// The AWS SDK's ECS and EC2 packages, loaded with require() rather than import. Both ship CommonJS without a
// "type" field, so Node 20's ESM loader first compiles each entry file to detect its format and scans it for
// named exports before compiling it again: require() skips both. Types come from the packages as usual
// (`import type`); only the values pass through here.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const ecs = require('@aws-sdk/client-ecs') as typeof import('@aws-sdk/client-ecs');

export const {
  ECSClient,
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  ListContainerInstancesCommand,
  ListTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
  TagResourceCommand,
  UntagResourceCommand,
} = ecs;

type Ec2Package = typeof import('@aws-sdk/client-ec2');
let ec2: Ec2Package | undefined;

/**
 * The EC2 package, loaded on first use. Only public addresses, bridge networking and EC2 capacity call EC2; a
 * fleet on private awsvpc addresses never does, and its entry file (2 MB) costs about 0.2 s of CPU to compile
 * and tens of MB of resident memory.
 */
export function ec2Sdk(): Ec2Package {
  ec2 ??= require('@aws-sdk/client-ec2') as Ec2Package;
  return ec2;
}

/** Whether the EC2 package has been loaded in this process (for tests of the lazy load). */
export function ec2Loaded(): boolean {
  return ec2 !== undefined;
}
