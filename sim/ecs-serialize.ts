// ECS JSON shapes of tasks, container instances and tags (timestamps as epoch seconds, as the JSON protocol sends).
import type { ContainerInstance, SimTask } from './model.js';
import type { SimState } from './state.js';
import { taskResources } from './task-definitions.js';

const seconds = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms / 1000);

export function tagList(tags: Map<string, string>): { key: string; value: string }[] {
  return [...tags].map(([key, value]) => ({ key, value }));
}

function containerStatus(task: SimTask): string {
  switch (task.lastStatus) {
    case 'RUNNING':
    case 'DEACTIVATING':
      return 'RUNNING';
    case 'STOPPING':
    case 'DEPROVISIONING':
    case 'STOPPED':
      return 'STOPPED';
    default:
      return 'PENDING';
  }
}

function attachmentStatus(task: SimTask): string {
  switch (task.lastStatus) {
    case 'PROVISIONING':
      return 'PRECREATED';
    case 'DEPROVISIONING':
      return 'DELETED';
    case 'STOPPED':
      return 'DELETED';
    case 'STOPPING':
      return 'DETACHING';
    default:
      return 'ATTACHED';
  }
}

function containerId(task: SimTask, index: number): string {
  return `${task.id.slice(0, 8)}-${task.id.slice(8, 12)}-4${task.id.slice(13, 16)}-8${task.id.slice(17, 20)}-${String(index).padStart(12, '0')}`;
}

export function serializeTask(state: SimState, task: SimTask, includeTags: boolean): Record<string, unknown> {
  const status = containerStatus(task);
  const resources = taskResources(task.definition);
  const eni = task.eni;
  const containers = task.definition.containers.map((c, index) => ({
    containerArn: state.arn(`container/${task.cluster.name}/${task.id}/${containerId(task, index)}`),
    taskArn: task.arn,
    name: c.name,
    image: c.image,
    lastStatus: status,
    exitCode: status === 'STOPPED' && index === 0 ? (task.exitCode ?? 0) : undefined,
    reason: status === 'STOPPED' && index === 0 && task.stopCode === 'EssentialContainerExited' ? task.stoppedReason : undefined,
    networkBindings:
      index === 0 && status === 'RUNNING' && task.definition.networkMode !== 'awsvpc'
        ? [...task.hostPorts].map(([containerPort, hostPort]) => ({ bindIP: '0.0.0.0', containerPort, hostPort, protocol: 'tcp' }))
        : [],
    networkInterfaces: eni ? [{ attachmentId: eni.attachmentId, privateIpv4Address: eni.privateIp }] : [],
    healthStatus: 'UNKNOWN',
    cpu: c.cpu !== undefined ? String(c.cpu) : undefined,
    memory: c.memory !== undefined ? String(c.memory) : undefined,
  }));
  return {
    taskArn: task.arn,
    clusterArn: task.cluster.arn,
    taskDefinitionArn: task.definition.arn,
    containerInstanceArn: task.containerInstance?.arn,
    overrides: { containerOverrides: [], inferenceAcceleratorOverrides: [], ...task.overrides },
    lastStatus: task.lastStatus,
    desiredStatus: task.desiredStatus,
    cpu: String(resources.cpu),
    memory: String(resources.memory),
    containers,
    startedBy: task.startedBy,
    version: task.version,
    stopCode: task.stopCode,
    stoppedReason: task.stoppedReason,
    connectivity: 'CONNECTED',
    connectivityAt: seconds(task.createdAt),
    createdAt: seconds(task.createdAt),
    startedAt: seconds(task.startedAt),
    stoppingAt: seconds(task.stoppingAt),
    stoppedAt: seconds(task.stoppedAt),
    executionStoppedAt: seconds(task.stoppedAt),
    group: task.group,
    launchType: task.launchType,
    capacityProviderName: task.capacityProviderName,
    platformVersion: task.launchType === 'FARGATE' ? '1.4.0' : undefined,
    platformFamily: task.launchType === 'FARGATE' ? 'Linux' : undefined,
    availabilityZone: `${state.options.region}a`,
    healthStatus: 'UNKNOWN',
    enableExecuteCommand: false,
    attachments: eni
      ? [
          {
            id: eni.attachmentId,
            type: 'ElasticNetworkInterface',
            status: attachmentStatus(task),
            details: [
              { name: 'subnetId', value: eni.subnetId },
              { name: 'networkInterfaceId', value: eni.id },
              { name: 'macAddress', value: eni.mac },
              { name: 'privateDnsName', value: `ip-${eni.privateIp.replaceAll('.', '-')}.ec2.internal` },
              { name: 'privateIPv4Address', value: eni.privateIp },
            ],
          },
        ]
      : [],
    tags: includeTags ? tagList(task.tags) : undefined,
  };
}

const integerResource = (name: string, value: number): Record<string, unknown> => ({
  name,
  type: 'INTEGER',
  doubleValue: 0,
  longValue: 0,
  integerValue: value,
});

export function serializeContainerInstance(state: SimState, instance: ContainerInstance): Record<string, unknown> {
  const tasks = state.tasksOnInstance(instance);
  const used = tasks.reduce(
    (sum, t) => {
      const r = taskResources(t.definition);
      return { cpu: sum.cpu + r.cpu, memory: sum.memory + r.memory };
    },
    { cpu: 0, memory: 0 },
  );
  const ports = (extra: string[]): Record<string, unknown> => ({
    name: 'PORTS',
    type: 'STRINGSET',
    stringSetValue: ['22', '2375', '2376', '51678', '51679', ...extra],
  });
  const hostPorts = tasks.flatMap((t) => [...t.hostPorts.values()].map(String));
  const ec2 = state.instances.get(instance.ec2InstanceId);
  return {
    containerInstanceArn: instance.arn,
    ec2InstanceId: instance.ec2InstanceId,
    version: tasks.length + 1,
    versionInfo: { agentVersion: '1.80.0', agentHash: 'sim', dockerVersion: 'DockerVersion: 25.0.3' },
    status: instance.status,
    agentConnected: instance.status === 'ACTIVE',
    runningTasksCount: tasks.filter((t) => t.lastStatus === 'RUNNING').length,
    pendingTasksCount: tasks.filter((t) => t.lastStatus !== 'RUNNING').length,
    registeredResources: [integerResource('CPU', instance.cpu), integerResource('MEMORY', instance.memory), ports([])],
    remainingResources: [
      integerResource('CPU', instance.cpu - used.cpu),
      integerResource('MEMORY', instance.memory - used.memory),
      ports(hostPorts),
    ],
    attributes: [
      { name: 'ecs.instance-type', value: ec2?.instanceType ?? 't3.medium' },
      { name: 'ecs.availability-zone', value: `${state.options.region}a` },
      { name: 'ecs.os-type', value: 'linux' },
    ],
    registeredAt: instance.registeredAt / 1000,
    attachments: [],
    tags: [],
  };
}
