// The AWS SDK's ECS and EC2 clients, loaded with require() rather than import. Both packages ship CommonJS
// without a "type" field, so Node 20's ESM loader first compiles each entry file (2 MB for EC2) to detect its
// format and then scans it for named exports before compiling it again: require() skips both, and the manager
// is ready about 0.3 s sooner on an idle machine (several seconds on a loaded one). Types come from the
// packages as usual (`import type`); only the values pass through here.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const ecs = require('@aws-sdk/client-ecs') as typeof import('@aws-sdk/client-ecs');
const ec2 = require('@aws-sdk/client-ec2') as typeof import('@aws-sdk/client-ec2');

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

export const { EC2Client, DescribeInstancesCommand, DescribeNetworkInterfacesCommand, RunInstancesCommand, TerminateInstancesCommand } = ec2;
