// The seed's EC2 launch-template mode, as the ECS backend sees it: a server is first an instance that boots,
// then a task placed on it. Keeps the last observation of the fleet's tasks so that instances can be matched
// to tasks between full listings, and checks on booting instances between the manager's ticks.
import type { Task } from '@aws-sdk/client-ecs';
import type { Logger } from '../shared/log.js';
import type { LaunchFailure, LaunchResult } from '../manager/backend.js';
import type { BackendServer } from '../manager/types.js';
import type { AddressResolver } from './addresses.js';
import { AwsCallError } from './errors.js';
import { InstancePool, PENDING_INSTANCE_PREFIX, targetInstance, type ClusterInstance, type InstancePoolDeps } from './instance-pool.js';
import type { EcsBackendStats } from './stats.js';
import type { TaskLauncher } from './task-launcher.js';
import { toBackendServer } from './task-records.js';

export interface InstanceModeDeps {
  pool: Omit<InstancePoolDeps, 'runTaskOn'>;
  launcher: TaskLauncher;
  addresses: AddressResolver;
  counters: EcsBackendStats;
  logger: Logger;
  fleetId: string;
  /** How often booting instances are checked between ticks. */
  checkIntervalMs: number;
  /** A full listing of the fleet's tasks, which ends in observed(). */
  observe: () => Promise<void>;
}

export class InstanceMode {
  private readonly pool: InstancePool;
  private lastTasks: Task[] | null = null;
  /** Tasks placed on instances that no listing or refresh has reported yet. */
  private readonly placedArns = new Set<string>();
  private reconciling: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly deps: InstanceModeDeps) {
    this.pool = new InstancePool({
      ...deps.pool,
      runTaskOn: async (placement) => {
        const outcome = await deps.launcher.run(1, placement);
        deps.counters.recordFailures(outcome.failures);
        // Shown by the listing that placed it, so the server does not vanish for a tick.
        this.lastTasks?.push(...outcome.tasks);
        for (const t of outcome.tasks) if (t.taskArn) this.placedArns.add(t.taskArn);
        return outcome.tasks.length === 1;
      },
    });
  }

  /** Whether `id` is a server still waiting for its instance. */
  static isPlaceholder(id: string): boolean {
    return id.startsWith(PENDING_INSTANCE_PREFIX);
  }

  placeholders(): BackendServer[] {
    return this.pool.placeholders();
  }

  /** Tasks placed since the last look; the caller describes them and then calls reported(). */
  placedSinceLastLook(): string[] {
    return [...this.placedArns];
  }

  reported(arns: Iterable<string>): void {
    for (const arn of arns) this.placedArns.delete(arn);
  }

  /** A full listing of the fleet's tasks. */
  observed(tasks: Task[]): void {
    this.lastTasks = tasks;
  }

  /** Keeps the last full listing current with a partial one (DescribeTasks of known tasks). */
  refreshed(tasks: Task[], missing: string[]): void {
    if (!this.lastTasks) return;
    const fresh = new Map(tasks.map((t) => [t.taskArn ?? '', t]));
    const gone = new Set(missing);
    const merged = this.lastTasks.filter((t) => !gone.has(t.taskArn ?? '')).map((t) => fresh.get(t.taskArn ?? '') ?? t);
    const known = new Set(merged.map((t) => t.taskArn ?? ''));
    for (const t of tasks) if (!known.has(t.taskArn ?? '')) merged.push(t);
    this.lastTasks = merged;
  }

  /** Gives up on a server still waiting for its instance. */
  cancel(id: string, reason: string): Promise<void> {
    return this.pool.cancel(id.slice(PENDING_INSTANCE_PREFIX.length), reason);
  }

  /** Free registered instances first, then new instances (their boot is not awaited). */
  async launch(count: number): Promise<LaunchResult> {
    const launched: BackendServer[] = [];
    const failures: LaunchFailure[] = [];
    let free: ClusterInstance[] = [];
    await this.reconcile();
    try {
      if (!this.lastTasks) await this.deps.observe();
      const tasks = this.lastTasks ?? [];
      free = this.pool.freeInstances(await this.pool.clusterInstances(), tasks.filter((t) => t.lastStatus !== 'STOPPED'));
    } catch (err) {
      this.deps.logger.warn('listing container instances failed', { error: (err as Error).message });
    }
    for (const ci of free.slice(0, count)) {
      const outcome = await this.deps.launcher.run(1, targetInstance(ci.ec2InstanceId));
      // Until the next listing, remember the placement so the same instance is not offered twice.
      this.lastTasks?.push(...outcome.tasks);
      const addresses = await this.deps.addresses.resolve(outcome.tasks);
      launched.push(...outcome.tasks.map((t) => toBackendServer(t, this.deps.fleetId, addresses.get(t.taskArn ?? '') ?? null)));
      failures.push(...outcome.failures);
    }
    const rest = count - Math.min(count, free.length);
    if (rest > 0) {
      const before = new Set(this.pool.placeholders().map((p) => p.id));
      try {
        const ids = await this.pool.launchInstances(rest);
        launched.push(...this.pool.placeholders().filter((p) => !before.has(p.id)));
        for (let i = ids.length; i < rest; i += 1) failures.push({ reason: 'INSTANCE_CAPACITY', detail: 'RunInstances started fewer instances' });
      } catch (err) {
        const e = err instanceof AwsCallError ? err : undefined;
        this.deps.logger.warn('run instances failed', { count: rest, code: e?.code, error: (err as Error).message });
        for (let i = 0; i < rest; i += 1) failures.push({ reason: e?.code ?? 'RunInstances', detail: (err as Error).message });
      }
      this.armTimer();
    }
    return { launched, failures };
  }

  /** Places tasks on instances that joined and terminates leaked ones. Never overlaps itself; failures are logged. */
  async reconcile(): Promise<void> {
    if (!this.lastTasks) return;
    if (this.reconciling) return this.reconciling;
    const tasks = this.lastTasks;
    this.reconciling = (async () => {
      try {
        const ids = await this.deps.addresses.instanceIdsOf(tasks.map((t) => t.containerInstanceArn).filter((a): a is string => Boolean(a)));
        await this.pool.reconcile(tasks, (arn) => ids.get(arn));
      } catch (err) {
        this.deps.logger.warn('instance reconcile failed', { error: (err as Error).message });
      } finally {
        this.reconciling = null;
      }
    })();
    return this.reconciling;
  }

  /** Stops the between-ticks checks and waits for one in flight. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    try {
      await this.reconciling;
    } catch {
      // already logged where it happened
    }
  }

  /** While instances are booting, checks on them between manager ticks; re-arms after each check. */
  private armTimer(): void {
    if (this.timer || this.closed || this.pool.pendingCount === 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.reconcile().finally(() => this.armTimer());
    }, this.deps.checkIntervalMs);
    this.timer.unref();
  }
}
