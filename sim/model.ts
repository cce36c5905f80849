// The simulated resources. Times are epoch milliseconds here; the wire layers convert.
import type { Server as NetServer } from 'node:net';

export type LastStatus =
  | 'PROVISIONING'
  | 'PENDING'
  | 'ACTIVATING'
  | 'RUNNING'
  | 'DEACTIVATING'
  | 'STOPPING'
  | 'DEPROVISIONING'
  | 'STOPPED';

export type NetworkMode = 'awsvpc' | 'bridge' | 'host';
export type LaunchType = 'FARGATE' | 'EC2';
export type GameserverMode = 'ok' | 'hang' | 'garbage' | 'slow' | 'down';

export interface PortMapping {
  containerPort: number;
  hostPort?: number;
  protocol: 'tcp' | 'udp';
  name?: string;
}

export interface ContainerDefinition {
  name: string;
  image: string;
  cpu?: number;
  memory?: number;
  essential: boolean;
  portMappings: PortMapping[];
  /** Everything else the caller sent, echoed back by DescribeTaskDefinition. */
  extra: Record<string, unknown>;
}

export interface TaskDefinition {
  family: string;
  revision: number;
  arn: string;
  networkMode: NetworkMode;
  requiresCompatibilities: LaunchType[];
  cpu?: string;
  memory?: string;
  containers: ContainerDefinition[];
  registeredAt: number;
  status: 'ACTIVE' | 'INACTIVE';
}

export interface Cluster {
  name: string;
  arn: string;
  tags: Map<string, string>;
}

export interface Eni {
  id: string;
  attachmentId: string;
  subnetId: string;
  privateIp: string;
  publicIp?: string;
  mac: string;
  /** in-use while the task holds it; gone from EC2 once the task stopped. */
  status: 'in-use' | 'deleted';
}

export interface GameserverState {
  sessions: number;
  capacity: number;
  draining: boolean;
  mode: GameserverMode;
  slowMs: number;
}

export interface SimTask {
  id: string;
  arn: string;
  cluster: Cluster;
  definition: TaskDefinition;
  startedBy?: string;
  group: string;
  launchType: LaunchType;
  capacityProviderName?: string;
  lastStatus: LastStatus;
  desiredStatus: 'RUNNING' | 'STOPPED';
  createdAt: number;
  startedAt?: number;
  stoppingAt?: number;
  stoppedAt?: number;
  stopCode?: string;
  stoppedReason?: string;
  exitCode?: number;
  tags: Map<string, string>;
  overrides: Record<string, unknown>;
  /** Where the gameserver listens: the ENI address (awsvpc) or the container instance's address (bridge, host). */
  address?: string;
  eni?: Eni;
  containerInstance?: ContainerInstance;
  /** containerPort → hostPort once RUNNING. */
  hostPorts: Map<number, number>;
  gameserver: GameserverState;
  version: number;
  /** Listeners bound for this task (closed when it stops). */
  listeners: NetServer[];
  /** Monotonic insertion order, used for stable pagination. */
  seq: number;
}

export interface ContainerInstance {
  id: string;
  arn: string;
  cluster: Cluster;
  ec2InstanceId: string;
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  registeredAt: number;
  cpu: number;
  memory: number;
  seq: number;
}

export type InstanceStateName = 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';

export const INSTANCE_STATE_CODES: Record<InstanceStateName, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

export interface Ec2Instance {
  id: string;
  reservationId: string;
  imageId: string;
  instanceType: string;
  launchTemplateId: string;
  launchTemplateName: string;
  state: InstanceStateName;
  privateIp: string;
  publicIp: string;
  launchTime: number;
  terminatedAt?: number;
  tags: Map<string, string>;
  /** Cluster the ECS agent registers into (from the launch template's user data). */
  clusterName: string;
  containerInstance?: ContainerInstance;
}

export interface LaunchTemplate {
  id: string;
  name: string;
  imageId: string;
  instanceType: string;
  clusterName: string;
}
