// The seed's EC2 launch-template mode, as the ECS backend sees it: a server is first an instance that boots,
// then a task placed on it. The backend calls pass() when it lists the fleet's tasks anyway; a pass observes
// the instances, asks instance-plan.ts what to do and does it, one log line and one count per termination.
import type { Task } from '@aws-sdk/client-ecs';
import type { Logger } from '../shared/log.js';
import type { Clock } from '../shared/clock.js';
import type { LaunchFailure, LaunchResult } from '../manager/backend.js';
import type { BackendServer } from '../manager/types.js';
import type { AddressResolver } from './addresses.js';
import { AwsCallError } from './errors.js';
import { InstanceCalls, targetInstance, type InstanceCallsDeps } from './instance-calls.js';
import { planInstances, planLaunch, type InstancePlanOptions, type Termination } from './instance-plan.js';
import type { EcsMetrics, InstancesTerminated } from './metrics.js';
import type { TaskLauncher } from './task-launcher.js';
import { toBackendServer } from './task-records.js';

const PENDING_INSTANCE_PREFIX = 'instance:';

export interface InstanceModeDeps {
  calls: InstanceCallsDeps;
  plan: InstancePlanOptions;
  launcher: TaskLauncher;
  addresses: AddressResolver;
  metrics: EcsMetrics;
  terminated: InstancesTerminated;
  logger: Logger;
  clock: Clock;
  fleetId: string;
  /** A full listing of the fleet's tasks, which ends in seen(). */
  observe: () => Promise<void>;
}

export class InstanceMode {
  private readonly calls: InstanceCalls;
  /** The fleet's tasks: the last full listing, kept current by refreshes and by our own placements. */
  private view: Task[] | null = null;
  /** Instances launched for a server that has no task yet → launch time. */
  private readonly launching = new Map<string, number>();
  private idleSince = new Map<string, number>();
  /** Terminated instances EC2 still lists; forgotten once it no longer does. */
  private readonly terminated = new Set<string>();
  /** Tasks placed on instances that no listing has reported to the manager yet. */
  private readonly unreported = new Set<string>();
  private passing: Promise<Task[]> | null = null;

  constructor(private readonly deps: InstanceModeDeps) {
    this.calls = new InstanceCalls(deps.calls);
  }

  /** Whether `id` is a server still waiting for its instance. */
  static isPlaceholder(id: string): boolean {
    return id.startsWith(PENDING_INSTANCE_PREFIX);
  }

  /** Servers waiting for their instance, shown to the manager as starting so it does not launch twice. */
  placeholders(): BackendServer[] {
    return [...this.launching].map(([id, launchedAt]) => ({
      id: `${PENDING_INSTANCE_PREFIX}${id}`,
      name: `${this.deps.fleetId}-${id.slice(-8)}`,
      host: null,
      ports: null,
      status: 'starting',
      standby: false,
      launchedAt,
    }));
  }

  /** Tasks placed since the last look; the caller describes them and then calls reported(). */
  placedSinceLastLook(): string[] {
    return [...this.unreported];
  }

  reported(arns: Iterable<string>): void {
    for (const arn of arns) this.unreported.delete(arn);
  }

  /** A listing of the fleet's tasks: a full one replaces the view, a refresh of some (with those ECS no longer knows) updates it. */
  seen(tasks: readonly Task[], missing: readonly string[] | 'full'): void {
    if (missing === 'full') {
      this.view = [...tasks];
      return;
    }
    if (!this.view) return;
    const fresh = new Map(tasks.map((t) => [t.taskArn ?? '', t]));
    const gone = new Set(missing);
    const merged = this.view.filter((t) => !gone.has(t.taskArn ?? '')).map((t) => fresh.get(t.taskArn ?? '') ?? t);
    const known = new Set(merged.map((t) => t.taskArn ?? ''));
    for (const t of tasks) if (!known.has(t.taskArn ?? '')) merged.push(t);
    this.view = merged;
  }

  /** Gives up on a server still waiting for its instance. */
  async cancel(id: string, reason: string): Promise<void> {
    const instanceId = id.slice(PENDING_INSTANCE_PREFIX.length);
    this.launching.delete(instanceId);
    await this.terminate([{ instanceId, reason: 'server_stopped', detail: reason }]);
  }

  /** Free registered instances first, then new instances (their boot is not awaited). */
  async launch(count: number): Promise<LaunchResult> {
    const launched: BackendServer[] = [];
    const failures: LaunchFailure[] = [];
    let plan = { place: [] as string[], launch: count };
    try {
      if (!this.view) await this.deps.observe();
      const registered = await this.calls.registered();
      plan = planLaunch({ wanted: count, registered, busy: this.busy(), launching: new Set(this.launching.keys()), terminated: this.terminated });
    } catch (err) {
      this.deps.logger.warn('listing container instances failed', { error: (err as Error).message });
    }
    for (const instanceId of plan.place) {
      const outcome = await this.deps.launcher.run(1, targetInstance(instanceId));
      // Until the next listing, the view holds the placement, so the same instance is not offered twice.
      this.seen(outcome.tasks, []);
      const addresses = await this.deps.addresses.resolve(outcome.tasks);
      launched.push(...outcome.tasks.map((t) => toBackendServer(t, this.deps.fleetId, addresses.get(t.taskArn ?? '') ?? null)));
      failures.push(...outcome.failures);
    }
    if (plan.launch > 0) {
      const rest = plan.launch;
      try {
        const ids = await this.calls.runInstances(rest);
        const now = this.deps.clock.now();
        for (const id of ids) this.launching.set(id, now);
        this.deps.logger.info('instances launched', { requested: rest, launched: ids.length, instanceIds: ids });
        const fresh = new Set(ids.map((id) => `${PENDING_INSTANCE_PREFIX}${id}`));
        launched.push(...this.placeholders().filter((p) => fresh.has(p.id)));
        for (let i = ids.length; i < rest; i += 1) failures.push({ reason: 'INSTANCE_CAPACITY', detail: 'RunInstances started fewer instances' });
      } catch (err) {
        const e = err instanceof AwsCallError ? err : undefined;
        this.deps.logger.warn('run instances failed', { count: rest, code: e?.code, error: (err as Error).message });
        for (let i = 0; i < rest; i += 1) failures.push({ reason: e?.code ?? 'RunInstances', detail: (err as Error).message });
      }
    }
    return { launched, failures };
  }

  /**
   * Observes the instances against the tasks as last seen, then places tasks on instances that joined and
   * terminates what the plan says. Returns the tasks it placed. Never overlaps itself; failures are logged.
   */
  async pass(): Promise<Task[]> {
    if (!this.view) return [];
    if (this.passing) {
      await this.passing;
      return [];
    }
    const passing = this.runPass(this.view).finally(() => {
      this.passing = null;
    });
    this.passing = passing;
    return passing;
  }

  /** Waits for a pass in flight. */
  async close(): Promise<void> {
    try {
      await this.passing;
    } catch {
      // already logged where it happened
    }
  }

  private async runPass(tasks: readonly Task[]): Promise<Task[]> {
    const placed: Task[] = [];
    try {
      const arns = tasks.map((t) => t.containerInstanceArn).filter((a): a is string => Boolean(a));
      const ids = await this.deps.addresses.instanceIdsOf(arns);
      const registered = this.launching.size > 0 ? new Set((await this.calls.registered()).map((ci) => ci.ec2InstanceId)) : null;
      const fleetInstances = await this.calls.fleetInstances();
      const plan = planInstances(
        {
          tasks: tasks.map((t) => ({ instanceId: t.containerInstanceArn ? ids.get(t.containerInstanceArn) : undefined, live: t.lastStatus !== 'STOPPED' })),
          fleetInstances,
          registered,
          launching: this.launching,
          idleSince: this.idleSince,
          terminated: this.terminated,
          now: this.deps.clock.now(),
        },
        this.deps.plan,
      );
      this.idleSince = plan.idleSince;
      for (const id of this.terminated) if (!plan.terminated.has(id)) this.terminated.delete(id);
      const terminate = [...plan.terminate];
      for (const t of terminate) this.launching.delete(t.instanceId);
      for (const instanceId of plan.place) {
        if (!this.launching.has(instanceId)) continue; // its server was stopped meanwhile
        const failed = await this.place(instanceId, placed);
        if (failed) terminate.push(failed);
      }
      await this.terminate(terminate);
    } catch (err) {
      this.deps.logger.warn('instance reconcile failed', { error: (err as Error).message });
    }
    return placed;
  }

  /** Starts the waiting server's task on its instance; a refusal is a termination of the instance, so it does not leak. */
  private async place(instanceId: string, placed: Task[]): Promise<Termination | null> {
    // run() never throws: a call that failed comes back as failures.
    const outcome = await this.deps.launcher.run(1, targetInstance(instanceId));
    this.deps.metrics.recordFailures(outcome.failures);
    // Shown by the listing that placed it, so the server does not vanish for a tick.
    this.seen(outcome.tasks, []);
    for (const t of outcome.tasks) if (t.taskArn) this.unreported.add(t.taskArn);
    placed.push(...outcome.tasks);
    this.launching.delete(instanceId);
    if (outcome.tasks.length === 1) return null;
    return { instanceId, reason: 'placement_failed', detail: outcome.failures[0]?.reason ?? 'RunTask started no task' };
  }

  /** Container instances that hold a live task of ours, as last seen. */
  private busy(): Set<string> {
    const out = new Set<string>();
    for (const t of this.view ?? []) if (t.lastStatus !== 'STOPPED' && t.containerInstanceArn) out.add(t.containerInstanceArn);
    return out;
  }

  /** One TerminateInstances for all of them; then one line and one count per instance. */
  private async terminate(decisions: readonly Termination[]): Promise<void> {
    const todo = new Map<string, Termination>();
    for (const d of decisions) if (!this.terminated.has(d.instanceId) && !todo.has(d.instanceId)) todo.set(d.instanceId, d);
    if (todo.size === 0) return;
    const instanceIds = [...todo.keys()];
    try {
      await this.calls.terminate(instanceIds);
    } catch (err) {
      // Left for the next pass: the instance is still tagged with the fleet and holds no task of ours.
      this.deps.logger.warn('terminate instances failed', { instanceIds, error: (err as Error).message });
      return;
    }
    for (const d of todo.values()) {
      this.terminated.add(d.instanceId);
      this.idleSince.delete(d.instanceId);
      this.deps.terminated.inc({ reason: d.reason });
      this.deps.logger.info('instance terminated', { instanceId: d.instanceId, reason: d.reason, ...(d.detail ? { detail: d.detail } : {}) });
    }
  }
}
