// The ECS backend: the cluster is the database (§3.4). Tasks carry the fleet in startedBy and tags,
// standby is a task tag, and every AWS call goes through a client-side rate limit (§4).
import type { ECSClient } from '@aws-sdk/client-ecs';
import { StopTaskCommand, TagResourceCommand, UntagResourceCommand } from './sdk.js';
import { Registry } from 'prom-client';
import type { EcsConfig } from './ecs-options.js';
import type { Logger } from '../shared/log.js';
import type { Backend, LaunchFailure, LaunchResult } from '../manager/backend.js';
import type { Clock } from '../shared/clock.js';
import type { ServerPorts } from '../shared/gameserver-ports.js';
import type { BackendServer } from '../manager/types.js';
import { AddressResolver } from './addresses.js';
import { createEc2Client, createEcsClient, type Ec2Client } from './clients.js';
import { AwsCallError } from './errors.js';
import { InstanceMode } from './instance-mode.js';
import { LaunchBackoff, type BackoffOptions } from './launch-backoff.js';
import { RateLimits, readShareRate, type RateCategory, type RateSpec } from './rate-limits.js';
import { TaskLauncher } from './task-launcher.js';
import { describeTasks, listTaskArns, type TaskQueryDeps } from './task-queries.js';
import { HELD_TAG, NAME_TAG, STANDBY_TAG, toBackendServer } from './task-records.js';
import type { Sleep } from './token-bucket.js';
import { createEcsMetrics, createInstanceMetrics, type EcsMetrics } from './metrics.js';

export interface EcsBackendOptions {
  ecs: EcsConfig;
  /** ECS startedBy of every task of this fleet (≤ 36 characters). */
  fleetId: string;
  /** Container ports (awsvpc) or the container ports to find in network bindings (bridge). */
  ports: ServerPorts;
  logger: Logger;
  clock: Clock;
  ecsClient?: ECSClient;
  ec2Client?: Ec2Client;
  rates?: Partial<Record<RateCategory, RateSpec>>;
  /** Longest an AWS call waits for a rate-limit token. */
  maxRateWaitMs?: number;
  backoff?: BackoffOptions;
  /** EC2 launch-template mode: how long an instance may take to join, and may hold no task of ours. */
  instances?: { joinDeadlineMs?: number; idleGraceMs?: number };
  sleep?: Sleep;
  /** Where the backend's counters are registered: the manager's, so /metrics serves them. A registry of its own when not given. */
  registry?: Registry;
}

const REASON_MAX = 255;

export class EcsBackend implements Backend {
  readonly kind = 'ecs' as const;
  private readonly ecs: ECSClient;
  private readonly ec2: Ec2Client;
  private readonly ownsClients: { ecs: boolean; ec2: boolean };
  private readonly limits: RateLimits;
  private readonly addresses: AddressResolver;
  private readonly launcher: TaskLauncher;
  private readonly queries: TaskQueryDeps;
  private readonly backoff: LaunchBackoff;
  /** EC2 launch-template mode; null when tasks run on Fargate or on instances the operator manages. */
  private readonly instances: InstanceMode | null;
  private readonly metrics: EcsMetrics;
  private closing: Promise<void> | null = null;

  constructor(private readonly options: EcsBackendOptions) {
    const { ecs, fleetId, ports } = options;
    if (!/^[A-Za-z0-9_-]{1,36}$/.test(fleetId)) {
      throw new RangeError(`EcsBackend: fleetId must be 1 to 36 letters, digits, - or _ (got ${JSON.stringify(fleetId)})`);
    }
    for (const [name, port] of Object.entries(ports)) {
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`EcsBackend: ports.${name} must be a TCP port (got ${port})`);
    }
    if (ecs.networkMode === 'awsvpc' && ecs.subnets.length === 0) throw new RangeError('EcsBackend: awsvpc networking needs at least one subnet');
    this.ownsClients = { ecs: !options.ecsClient, ec2: !options.ec2Client };
    this.ecs = options.ecsClient ?? createEcsClient({ region: ecs.region });
    this.ec2 = options.ec2Client ?? createEc2Client({ region: ecs.region });
    // Every other service in the account shares the read bucket: a resync paces itself within our share.
    const rates = { read: readShareRate(options.ecs.readSharePercent), ...options.rates };
    this.limits = new RateLimits({ clock: options.clock, rates, maxWaitMs: options.maxRateWaitMs, sleep: options.sleep });
    const deps = { ecs: this.ecs, ec2: this.ec2, limits: this.limits, logger: options.logger };
    this.addresses = new AddressResolver({
      ...deps,
      cluster: ecs.cluster,
      networkMode: ecs.networkMode,
      address: ecs.address,
      pollAddress: ecs.pollAddress,
      ports,
      containerName: ecs.containerName,
    });
    this.launcher = new TaskLauncher({ ...deps, config: ecs, fleetId });
    this.queries = { ecs: this.ecs, limits: this.limits, cluster: ecs.cluster, fleetId };
    this.backoff = new LaunchBackoff(options.clock, options.backoff);
    const registry = options.registry ?? new Registry();
    this.metrics = createEcsMetrics(registry);
    this.instances = ecs.instanceLaunchTemplate
      ? new InstanceMode({
          calls: { ecs: this.ecs, ec2: this.ec2, limits: this.limits, cluster: ecs.cluster, fleetId, launchTemplate: ecs.instanceLaunchTemplate },
          plan: {
            joinDeadlineMs: options.instances?.joinDeadlineMs ?? 10 * 60_000,
            idleGraceMs: options.instances?.idleGraceMs ?? 15 * 60_000,
          },
          launcher: this.launcher,
          addresses: this.addresses,
          metrics: this.metrics,
          terminated: createInstanceMetrics(registry),
          logger: options.logger,
          clock: options.clock,
          fleetId,
          observe: async () => {
            await this.list();
          },
        })
      : null;
  }

  async list(): Promise<BackendServer[]> {
    this.assertOpen();
    const arns = new Set<string>();
    for (const desiredStatus of ['RUNNING', 'STOPPED'] as const) {
      for (const arn of await listTaskArns(this.queries, desiredStatus)) arns.add(arn);
    }
    const { tasks } = await describeTasks(this.queries, [...arns]);
    this.instances?.seen(tasks, 'full');
    this.addresses.retain(arns);
    const addresses = await this.addresses.resolve(tasks);
    // EC2 launch-template mode looks at its instances on each listing; what it places is listed at once.
    const placed = (await this.instances?.pass()) ?? [];
    const servers = [...tasks, ...placed].map((t) => toBackendServer(t, this.options.fleetId, addresses.get(t.taskArn ?? '') ?? null));
    if (!this.instances) return servers;
    this.instances.reported(servers.map((s) => s.id));
    return [...servers, ...this.instances.placeholders()];
  }

  /**
   * ListTasks (running and stopped), then DescribeTasks of only the tasks the caller does not count
   * as settled: at N tasks ⌈N/100⌉ + 1 ListTasks and no DescribeTasks at all when nothing changed.
   */
  async resync(settled: ReadonlySet<string>): Promise<{ servers: BackendServer[]; unchanged: string[] }> {
    this.assertOpen();
    if (this.instances) return { servers: await this.list(), unchanged: [] };
    const running = await listTaskArns(this.queries, 'RUNNING');
    const stopped = new Set(await listTaskArns(this.queries, 'STOPPED'));
    const unchanged: string[] = [];
    const toDescribe: string[] = [...stopped];
    for (const arn of running) {
      if (stopped.has(arn)) continue;
      if (settled.has(arn)) unchanged.push(arn);
      else toDescribe.push(arn);
    }
    const { tasks } = await describeTasks(this.queries, toDescribe);
    this.addresses.retain(new Set([...running, ...stopped]));
    const addresses = await this.addresses.resolve(tasks);
    const servers = tasks.map((t) => toBackendServer(t, this.options.fleetId, addresses.get(t.taskArn ?? '') ?? null));
    return { servers, unchanged };
  }

  /**
   * DescribeTasks of known tasks only (no ListTasks): tasks ECS no longer knows come back stopped,
   * tasks that got an address since are resolved. In EC2 launch-template mode, servers still waiting
   * for their instance stay listed, and tasks placed on instances since are added.
   */
  async refresh(ids: readonly string[]): Promise<BackendServer[]> {
    this.assertOpen();
    // Places tasks on instances that joined before looking, so they are described in this round.
    await this.instances?.pass();
    // One synchronous snapshot: a placeholder that stopped waiting has its task among `placed`.
    const waiting = new Map((this.instances?.placeholders() ?? []).map((p) => [p.id, p]));
    const placed = this.instances?.placedSinceLastLook() ?? [];
    const placeholders = ids.filter((id) => InstanceMode.isPlaceholder(id));
    const arns = new Set([...ids.filter((id) => !InstanceMode.isPlaceholder(id)), ...placed]);
    const { tasks, missing } = await describeTasks(this.queries, [...arns]);
    this.instances?.seen(tasks, missing);
    this.instances?.reported(placed);
    const addresses = await this.addresses.resolve(tasks);
    const servers = tasks.map((t) => toBackendServer(t, this.options.fleetId, addresses.get(t.taskArn ?? '') ?? null));
    for (const arn of missing) servers.push(goneServer(arn, this.options.fleetId));
    for (const id of placeholders) servers.push(waiting.get(id) ?? goneServer(id, this.options.fleetId, 'instance placed or given up'));
    return servers;
  }

  async launch(count: number, names?: readonly string[]): Promise<LaunchResult> {
    this.assertOpen();
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`launch count must be a non-negative integer (got ${count})`);
    if (count === 0) return { launched: [], failures: [] };
    const waitMs = this.backoff.remainingMs();
    if (waitMs > 0) {
      this.metrics.backoffRejections.inc(count);
      const failures = Array.from({ length: count }, (): LaunchFailure => ({ reason: 'backoff', detail: `retry in ${waitMs} ms` }));
      return { launched: [], failures };
    }
    // EC2 instance mode places each task later, on its instance: those tasks are named by the manager once listed.
    const result = this.instances ? await this.instances.launch(count) : await this.launchTasks(count, names);
    this.metrics.recordFailures(result.failures);
    this.metrics.launched.inc(result.launched.length);
    if (result.failures.length > 0) {
      const delayMs = this.backoff.recordFailure();
      this.options.logger.warn('launch backing off', { failures: result.failures.length, delayMs });
    } else {
      this.backoff.recordSuccess();
    }
    return result;
  }

  async stop(id: string, reason: string): Promise<void> {
    this.assertOpen();
    if (this.instances && InstanceMode.isPlaceholder(id)) {
      await this.instances.cancel(id, reason);
      return;
    }
    try {
      await this.limits.call('modify', 'StopTask', () =>
        this.ecs.send(new StopTaskCommand({ cluster: this.options.ecs.cluster, task: id, reason: reason.slice(0, REASON_MAX) })),
      );
      this.metrics.stopped.inc();
    } catch (err) {
      if (isTaskGone(err)) {
        this.options.logger.info('stop of a task already gone', { taskArn: id });
        return;
      }
      throw err;
    }
  }

  async markStandby(id: string, standby: boolean, held = false): Promise<void> {
    this.assertOpen();
    if (InstanceMode.isPlaceholder(id)) return; // no task to tag yet; the manager re-marks after it appears
    if (standby) {
      // One call for both tags: a hold is never recorded without its standby.
      const tags = [{ key: STANDBY_TAG, value: 'true' }, ...(held ? [{ key: HELD_TAG, value: 'true' }] : [])];
      await this.limits.call('tag', 'TagResource', () => this.ecs.send(new TagResourceCommand({ resourceArn: id, tags })));
    } else {
      await this.limits.call('tag', 'UntagResource', () =>
        this.ecs.send(new UntagResourceCommand({ resourceArn: id, tagKeys: [STANDBY_TAG, HELD_TAG] })),
      );
    }
  }

  async rename(id: string, name: string): Promise<void> {
    this.assertOpen();
    if (InstanceMode.isPlaceholder(id)) return; // no task yet; the task is named when it is listed
    await this.limits.call('tag', 'TagResource', () => this.ecs.send(new TagResourceCommand({ resourceArn: id, tags: [{ key: NAME_TAG, value: name }] })));
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    try {
      this.limits.close();
    } catch (err) {
      this.options.logger.warn('closing rate limits failed', { error: (err as Error).message });
    }
    await this.instances?.close();
    for (const [owned, client] of [[this.ownsClients.ecs, this.ecs], [this.ownsClients.ec2, this.ec2]] as const) {
      if (!owned) continue;
      try {
        client.destroy();
      } catch (err) {
        this.options.logger.warn('destroying AWS client failed', { error: (err as Error).message });
      }
    }
  }

  private async launchTasks(count: number, names: readonly string[] | undefined): Promise<LaunchResult> {
    const outcome = await this.launcher.run(count, undefined, names);
    const addresses = await this.addresses.resolve(outcome.tasks);
    const launched = outcome.tasks.map((t) => toBackendServer(t, this.options.fleetId, addresses.get(t.taskArn ?? '') ?? null));
    this.options.logger.info('tasks launched', { requested: count, launched: launched.length, failed: outcome.failures.length });
    return { launched, failures: outcome.failures };
  }

  private assertOpen(): void {
    if (this.closing) throw new Error('EcsBackend is closed');
  }
}

function goneServer(id: string, fleetId: string, reason = 'task no longer known to ECS'): BackendServer {
  return { id, name: `${fleetId}-${id.slice(-12)}`, host: null, ports: null, status: 'stopped', standby: false, launchedAt: 0, stoppedReason: reason };
}

/** StopTask on a task ECS no longer knows answers InvalidParameterException "task was not found". */
function isTaskGone(err: unknown): boolean {
  if (!(err instanceof AwsCallError)) return false;
  if (err.kind === 'not-found') return true;
  const message = err.cause instanceof Error ? err.cause.message : '';
  return err.kind === 'permanent' && /not found|does not exist|cannot be found/i.test(message);
}
