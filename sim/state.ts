// Everything the simulator knows, in one place, with the lookups the ECS and EC2 handlers share.
import { SimApiError, invalidParameter } from './errors.js';
import { AddressPool } from './ids.js';
import type { Cluster, ContainerInstance, Ec2Instance, Eni, LaunchTemplate, SimTask, TaskDefinition } from './model.js';
import type { ResolvedSimOptions } from './options.js';

export class SimState {
  readonly clusters = new Map<string, Cluster>();
  /** family → revisions in order (index = revision − 1). */
  readonly taskDefinitions = new Map<string, TaskDefinition[]>();
  /** task id → task. Map order is creation order, which pagination relies on. */
  readonly tasks = new Map<string, SimTask>();
  readonly containerInstances = new Map<string, ContainerInstance>();
  readonly instances = new Map<string, Ec2Instance>();
  readonly enis = new Map<string, Eni>();
  readonly launchTemplates = new Map<string, LaunchTemplate>();
  readonly addresses: AddressPool;
  private seq = 0;

  constructor(readonly options: ResolvedSimOptions) {
    this.addresses = new AddressPool(options.ipBase);
    this.createCluster('default');
    const template: LaunchTemplate = {
      id: 'lt-0defa017ec5000001',
      name: 'defaultECS',
      imageId: 'ami-0ecs0ptimized0001',
      instanceType: 't3.medium',
      clusterName: 'default',
    };
    this.launchTemplates.set(template.id, template);
  }

  nextSeq(): number {
    return ++this.seq;
  }

  arn(resource: string): string {
    return `arn:aws:ecs:${this.options.region}:${this.options.accountId}:${resource}`;
  }

  createCluster(name: string): Cluster {
    const existing = this.clusters.get(name);
    if (existing) return existing;
    const cluster: Cluster = { name, arn: this.arn(`cluster/${name}`), tags: new Map() };
    this.clusters.set(name, cluster);
    return cluster;
  }

  /** Accepts a cluster name or ARN; no value means `default`, as in ECS. */
  resolveCluster(ref: unknown): Cluster {
    if (ref !== undefined && ref !== null && typeof ref !== 'string') throw invalidParameter('cluster must be a string.');
    const name = !ref ? 'default' : ref.startsWith('arn:') ? (ref.split('/').pop() ?? '') : ref;
    const cluster = this.clusters.get(name);
    if (!cluster) throw new SimApiError('ClusterNotFoundException', 'Cluster not found.');
    return cluster;
  }

  /** Finds a task by id or ARN within a cluster; undefined when unknown (or pruned). */
  findTask(cluster: Cluster, ref: string): SimTask | undefined {
    const id = ref.startsWith('arn:') ? ref.split('/').pop() : ref;
    const task = id === undefined ? undefined : this.tasks.get(id);
    return task && task.cluster === cluster ? task : undefined;
  }

  findContainerInstance(cluster: Cluster, ref: string): ContainerInstance | undefined {
    const id = ref.startsWith('arn:') ? ref.split('/').pop() : ref;
    const instance = id === undefined ? undefined : this.containerInstances.get(id);
    return instance && instance.cluster === cluster ? instance : undefined;
  }

  findLaunchTemplate(by: { id?: string; name?: string }): LaunchTemplate | undefined {
    for (const template of this.launchTemplates.values()) {
      if (by.id !== undefined ? template.id === by.id : template.name === by.name) return template;
    }
    return undefined;
  }

  /** Tasks that have been STOPPED for longer than the retention period leave every listing. */
  pruneStoppedTasks(now: number): void {
    const cutoff = now - this.options.stoppedTaskRetentionMs;
    for (const [id, task] of this.tasks) {
      if (task.lastStatus === 'STOPPED' && task.stoppedAt !== undefined && task.stoppedAt < cutoff) {
        this.tasks.delete(id);
        if (task.eni) this.enis.delete(task.eni.id);
      }
    }
  }

  tasksOnInstance(instance: ContainerInstance): SimTask[] {
    return [...this.tasks.values()].filter((t) => t.containerInstance === instance && t.lastStatus !== 'STOPPED');
  }
}
