// Where each task can be reached, in both networking modes (§4). Lookups are batched across tasks,
// a bad task only loses its own address, and a running task's address is cached for its life.
import type { ECSClient, Task } from '@aws-sdk/client-ecs';
import type { Instance, NetworkInterface } from '@aws-sdk/client-ec2';
import type { Ec2Client } from './clients.js';
import { DescribeContainerInstancesCommand, ec2Sdk } from './sdk.js';
import type { Logger } from '../shared/log.js';
import type { ServerPorts } from '../shared/gameserver-ports.js';
import { AwsCallError } from './errors.js';
import type { RateLimits } from './rate-limits.js';
import type { ResolvedAddress } from './task-records.js';

export interface AddressResolverDeps {
  ecs: ECSClient;
  ec2: Ec2Client;
  limits: RateLimits;
  logger: Logger;
  cluster: string;
  networkMode: 'awsvpc' | 'bridge';
  address: 'public' | 'private';
  /** Address health polls use; defaults to `address`. */
  pollAddress?: 'public' | 'private';
  ports: ServerPorts;
  containerName: string | undefined;
}

interface IpPair {
  publicIp: string | undefined;
  privateIp: string | undefined;
}

const CHUNK = 100;

export class AddressResolver {
  private readonly cache = new Map<string, ResolvedAddress>();
  /** containerInstanceArn → EC2 instance id; fixed for the container instance's life. */
  private readonly instanceIds = new Map<string, string>();

  constructor(private readonly deps: AddressResolverDeps) {}

  /** Addresses by task ARN; null for a task whose address is not known (yet). Never throws. */
  async resolve(tasks: Task[]): Promise<Map<string, ResolvedAddress | null>> {
    const out = new Map<string, ResolvedAddress | null>();
    const todo = tasks.filter((t) => {
      const arn = t.taskArn ?? '';
      const cached = this.cache.get(arn);
      if (cached) out.set(arn, cached);
      return !cached && t.lastStatus !== 'STOPPED' && arn !== '';
    });
    if (todo.length > 0) {
      const found = this.deps.networkMode === 'awsvpc' ? await this.resolveAwsvpc(todo) : await this.resolveBridge(todo);
      for (const task of todo) {
        const arn = task.taskArn ?? '';
        const address = found.get(arn) ?? null;
        out.set(arn, address);
        if (address && task.lastStatus === 'RUNNING') this.cache.set(arn, address);
      }
    }
    for (const t of tasks) if (!out.has(t.taskArn ?? '')) out.set(t.taskArn ?? '', null);
    return out;
  }

  /** Drops cached addresses of tasks that are no longer listed. */
  retain(taskArns: Set<string>): void {
    for (const arn of this.cache.keys()) if (!taskArns.has(arn)) this.cache.delete(arn);
  }

  /** EC2 instance ids of container instances, looking up those not seen before. Never throws. */
  async instanceIdsOf(containerInstanceArns: string[]): Promise<Map<string, string>> {
    const unknown = [...new Set(containerInstanceArns)].filter((a) => !this.instanceIds.has(a));
    for (let i = 0; i < unknown.length; i += CHUNK) {
      const chunk = unknown.slice(i, i + CHUNK);
      try {
        const res = await this.deps.limits.call('read', 'DescribeContainerInstances', () =>
          this.deps.ecs.send(new DescribeContainerInstancesCommand({ cluster: this.deps.cluster, containerInstances: chunk })),
        );
        for (const ci of res.containerInstances ?? []) {
          if (ci.containerInstanceArn && ci.ec2InstanceId) this.instanceIds.set(ci.containerInstanceArn, ci.ec2InstanceId);
        }
      } catch (err) {
        this.logFailure('DescribeContainerInstances', err, chunk.length);
      }
    }
    const out = new Map<string, string>();
    for (const arn of containerInstanceArns) {
      const id = this.instanceIds.get(arn);
      if (id) out.set(arn, id);
    }
    return out;
  }

  private async resolveAwsvpc(tasks: Task[]): Promise<Map<string, ResolvedAddress>> {
    const enis = new Map<string, { eniId: string | undefined; privateIp: string | undefined }>();
    for (const task of tasks) {
      const attachment = task.attachments?.find((a) => a.type === 'ElasticNetworkInterface');
      const detail = (name: string): string | undefined => attachment?.details?.find((d) => d.name === name)?.value;
      enis.set(task.taskArn ?? '', { eniId: detail('networkInterfaceId'), privateIp: detail('privateIPv4Address') });
    }
    let publicIps = new Map<string, string>();
    if (this.deps.address === 'public' || this.deps.pollAddress === 'public') {
      const ids = [...enis.values()].map((e) => e.eniId).filter((id): id is string => Boolean(id));
      publicIps = await this.lookupEnis(ids);
    }
    const out = new Map<string, ResolvedAddress>();
    for (const [arn, eni] of enis) {
      const publicIp = eni.eniId ? publicIps.get(eni.eniId) : undefined;
      const pair = { publicIp, privateIp: eni.privateIp };
      const host = this.pick(pair);
      if (host) out.set(arn, { host, pollHost: this.pickPoll(pair) ?? host, ports: { ...this.deps.ports } });
    }
    return out;
  }

  private async resolveBridge(tasks: Task[]): Promise<Map<string, ResolvedAddress>> {
    const ciArns = tasks.map((t) => t.containerInstanceArn).filter((a): a is string => Boolean(a));
    const instanceIds = await this.instanceIdsOf(ciArns);
    const ips = await this.lookupInstances([...new Set(instanceIds.values())]);
    const out = new Map<string, ResolvedAddress>();
    for (const task of tasks) {
      const instanceId = task.containerInstanceArn ? instanceIds.get(task.containerInstanceArn) : undefined;
      const pair = instanceId ? ips.get(instanceId) : undefined;
      const host = pair ? this.pick(pair) : undefined;
      const ports = this.hostPorts(task);
      if (pair && host && ports) out.set(task.taskArn ?? '', { host, pollHost: this.pickPoll(pair) ?? host, ports });
    }
    return out;
  }

  /** Host ports bound to our configured container ports; null until every one is bound. */
  private hostPorts(task: Task): ServerPorts | null {
    const name = this.deps.containerName;
    const bindings = (task.containers ?? [])
      .filter((c) => name === undefined || c.name === name)
      .flatMap((c) => c.networkBindings ?? []);
    const hostPortFor = (containerPort: number): number | undefined =>
      bindings.find((b) => b.containerPort === containerPort && b.hostPort !== undefined)?.hostPort;
    const game = hostPortFor(this.deps.ports.game);
    const web = hostPortFor(this.deps.ports.web);
    const health = hostPortFor(this.deps.ports.health);
    if (game === undefined || web === undefined || health === undefined) return null;
    return { game, web, health };
  }

  private pick(pair: IpPair): string | undefined {
    if (this.deps.address === 'public' && pair.publicIp) return pair.publicIp;
    return pair.privateIp;
  }

  private pickPoll(pair: IpPair): string | undefined {
    const mode = this.deps.pollAddress ?? this.deps.address;
    if (mode === 'public' && pair.publicIp) return pair.publicIp;
    return pair.privateIp ?? pair.publicIp;
  }

  private async lookupEnis(ids: string[]): Promise<Map<string, string>> {
    const found = await this.batched(ids, 'DescribeNetworkInterfaces', async (chunk) => {
      const res = await this.deps.ec2.send(new (ec2Sdk().DescribeNetworkInterfacesCommand)({ NetworkInterfaceIds: chunk }));
      return res.NetworkInterfaces ?? [];
    });
    const out = new Map<string, string>();
    for (const ni of found as NetworkInterface[]) {
      if (ni.NetworkInterfaceId && ni.Association?.PublicIp) out.set(ni.NetworkInterfaceId, ni.Association.PublicIp);
    }
    return out;
  }

  private async lookupInstances(ids: string[]): Promise<Map<string, IpPair>> {
    const found = await this.batched(ids, 'DescribeInstances', async (chunk) => {
      const res = await this.deps.ec2.send(new (ec2Sdk().DescribeInstancesCommand)({ InstanceIds: chunk }));
      return (res.Reservations ?? []).flatMap((r) => r.Instances ?? []);
    });
    const out = new Map<string, IpPair>();
    for (const i of found as Instance[]) {
      if (i.InstanceId) out.set(i.InstanceId, { publicIp: i.PublicIpAddress, privateIp: i.PrivateIpAddress });
    }
    return out;
  }

  /**
   * One EC2 call for all ids; when it fails because one id is unknown (EC2 fails the whole call),
   * falls back to one call per id so the others still resolve.
   */
  private async batched<T>(ids: string[], operation: string, fetch: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    try {
      return await this.deps.limits.call('ec2', operation, () => fetch(unique));
    } catch (err) {
      if (unique.length === 1 || !(err instanceof AwsCallError) || err.kind !== 'not-found') {
        this.logFailure(operation, err, unique.length);
        return [];
      }
    }
    const results: T[] = [];
    for (const id of unique) {
      try {
        results.push(...(await this.deps.limits.call('ec2', operation, () => fetch([id]))));
      } catch (err) {
        this.logFailure(operation, err, 1);
      }
    }
    return results;
  }

  private logFailure(operation: string, err: unknown, count: number): void {
    const e = err instanceof AwsCallError ? err : undefined;
    this.deps.logger.warn('address lookup failed', { operation, count, kind: e?.kind, code: e?.code, error: (err as Error).message });
  }
}
