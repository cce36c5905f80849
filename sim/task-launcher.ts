// Creates tasks for RunTask (and for strays made through the admin API): placement, addresses, the launch walk.
import type { SimContext } from './context.js';
import { invalidParameter } from './errors.js';
import { ec2Id, ecsId, macAddress } from './ids.js';
import type { Cluster, ContainerInstance, LaunchType, SimTask, TaskDefinition } from './model.js';
import { taskResources } from './task-definitions.js';

export interface LaunchRequest {
  cluster: Cluster;
  definition: TaskDefinition;
  count: number;
  launchType: LaunchType;
  capacityProviderName?: string;
  startedBy?: string;
  group?: string;
  tags: Map<string, string>;
  overrides: Record<string, unknown>;
  /** awsvpc only. */
  subnets: string[];
  assignPublicIp: boolean;
  distinctInstance: boolean;
}

export interface LaunchFailureRecord {
  arn?: string;
  reason: string;
  detail?: string;
}

export interface LaunchOutcome {
  tasks: SimTask[];
  failures: LaunchFailureRecord[];
}

/** Why an instance cannot take the task, or undefined when it can. */
function placementProblem(ctx: SimContext, instance: ContainerInstance, request: LaunchRequest): string | undefined {
  const tasks = ctx.state.tasksOnInstance(instance);
  if (request.distinctInstance && tasks.some((t) => t.group === (request.group ?? `family:${request.definition.family}`))) {
    return 'DistinctInstance placement constraint unsatisfied.';
  }
  const need = taskResources(request.definition);
  const used = tasks.reduce(
    (sum, t) => {
      const r = taskResources(t.definition);
      return { cpu: sum.cpu + r.cpu, memory: sum.memory + r.memory };
    },
    { cpu: 0, memory: 0 },
  );
  if (used.memory + need.memory > instance.memory) return 'RESOURCE:MEMORY';
  if (used.cpu + need.cpu > instance.cpu) return 'RESOURCE:CPU';
  return undefined;
}

function activeInstances(ctx: SimContext, cluster: Cluster): ContainerInstance[] {
  return [...ctx.state.containerInstances.values()].filter((i) => i.cluster === cluster && i.status === 'ACTIVE');
}

export function launchTasks(ctx: SimContext, request: LaunchRequest): LaunchOutcome {
  if (request.launchType === 'EC2' && activeInstances(ctx, request.cluster).length === 0) {
    throw invalidParameter('No Container Instances were found in your cluster.');
  }
  const outcome: LaunchOutcome = { tasks: [], failures: [] };
  for (let i = 0; i < request.count; i++) {
    const injected = ctx.faults.takeRunTaskFailure();
    if (injected !== undefined) {
      outcome.failures.push({ arn: request.cluster.arn, reason: injected });
      continue;
    }
    let instance: ContainerInstance | undefined;
    if (request.launchType === 'EC2') {
      const candidates = activeInstances(ctx, request.cluster);
      let problem = 'RESOURCE:MEMORY';
      let problemArn: string | undefined;
      for (const candidate of candidates) {
        const why = placementProblem(ctx, candidate, request);
        if (why === undefined) {
          instance = candidate;
          break;
        }
        problem = why;
        problemArn = candidate.arn;
      }
      if (!instance) {
        outcome.failures.push({ arn: problemArn, reason: problem });
        continue;
      }
    }
    outcome.tasks.push(createTask(ctx, request, instance));
  }
  return outcome;
}

function createTask(ctx: SimContext, request: LaunchRequest, instance: ContainerInstance | undefined): SimTask {
  const { state } = ctx;
  const id = ecsId();
  const now = Date.now();
  const task: SimTask = {
    id,
    arn: state.arn(`task/${request.cluster.name}/${id}`),
    cluster: request.cluster,
    definition: request.definition,
    startedBy: request.startedBy,
    group: request.group ?? `family:${request.definition.family}`,
    launchType: request.launchType,
    capacityProviderName: request.capacityProviderName,
    lastStatus: 'PROVISIONING',
    desiredStatus: 'RUNNING',
    createdAt: now,
    tags: new Map(request.tags),
    overrides: request.overrides,
    hostPorts: new Map(),
    gameserver: { sessions: 0, capacity: state.options.defaultCapacity, draining: false, mode: 'ok', slowMs: 1000 },
    version: 1,
    listeners: [],
    seq: state.nextSeq(),
    containerInstance: instance,
  };
  if (request.definition.networkMode === 'awsvpc') {
    const ip = state.addresses.take();
    task.eni = {
      id: ec2Id('eni'),
      attachmentId: crypto.randomUUID(),
      subnetId: request.subnets[0] ?? 'subnet-0sim0000000000001',
      privateIp: ip,
      // Public and private are the same loopback address, so clients on this machine can reach the task.
      publicIp: request.assignPublicIp ? ip : undefined,
      mac: macAddress(),
      status: 'in-use',
    };
    state.enis.set(task.eni.id, task.eni);
    task.address = ip;
  } else if (instance) {
    task.address = state.instances.get(instance.ec2InstanceId)?.privateIp;
  }
  state.tasks.set(id, task);
  ctx.lifecycle.launch(task);
  return task;
}
