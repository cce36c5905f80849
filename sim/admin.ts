// Test and operator controls: task views, gameserver behaviour, kills, faults, counters. Served under /_sim/.
import type { SimContext } from './context.js';
import { SimApiError } from './errors.js';
import type { FaultSettings, CallCounters, RunTaskFailureFault } from './faults.js';
import type { GameserverMode, SimTask } from './model.js';
import { GAME_PORT, WEB_PORT, resolveTaskDefinition } from './task-definitions.js';
import { launchTasks } from './task-launcher.js';

export interface SimTaskView {
  id: string;
  arn: string;
  cluster: string;
  lastStatus: string;
  desiredStatus: string;
  launchType: string;
  networkMode: string;
  /** Where the gameserver listens (ENI address or container instance address). */
  address: string | null;
  /** Reachable ports on `address`; web answers /health/. Null until the task runs (bridge) or when not mapped. */
  ports: { game: number | null; web: number | null };
  sessions: number;
  capacity: number;
  draining: boolean;
  mode: GameserverMode;
  tags: Record<string, string>;
  startedBy: string | null;
  stopCode: string | null;
  stoppedReason: string | null;
  ec2InstanceId: string | null;
}

export interface SimInstanceView {
  instanceId: string;
  state: string;
  privateIp: string;
  publicIp: string;
  launchTemplateName: string;
  containerInstanceArn: string | null;
  containerInstanceStatus: string | null;
  runningTasks: number;
}

export interface GameserverPatch {
  sessions?: number;
  capacity?: number;
  draining?: boolean;
  mode?: GameserverMode;
  slowMs?: number;
}

export interface FaultsView {
  throttling: boolean;
  errorRate: number;
  runTaskFailures: RunTaskFailureFault | null;
}

export interface StrayRequest {
  startedBy?: string;
  count?: number;
  taskDefinition?: string;
  cluster?: string;
  tags?: Record<string, string>;
}

export class SimNotFoundError extends Error {
  constructor(what: string) {
    super(`${what} not found`);
    this.name = 'SimNotFoundError';
  }
}

const MODES: GameserverMode[] = ['ok', 'hang', 'garbage', 'slow', 'down'];

function portOf(task: SimTask, containerPort: number): number | null {
  if (task.definition.networkMode === 'awsvpc') {
    return task.definition.containers[0]?.portMappings.some((m) => m.containerPort === containerPort) ? containerPort : null;
  }
  return task.hostPorts.get(containerPort) ?? null;
}

export function taskView(task: SimTask): SimTaskView {
  return {
    id: task.id,
    arn: task.arn,
    cluster: task.cluster.name,
    lastStatus: task.lastStatus,
    desiredStatus: task.desiredStatus,
    launchType: task.launchType,
    networkMode: task.definition.networkMode,
    address: task.address ?? null,
    ports: { game: portOf(task, GAME_PORT), web: portOf(task, WEB_PORT) },
    sessions: task.gameserver.sessions,
    capacity: task.gameserver.capacity,
    draining: task.gameserver.draining,
    mode: task.gameserver.mode,
    tags: Object.fromEntries(task.tags),
    startedBy: task.startedBy ?? null,
    stopCode: task.stopCode ?? null,
    stoppedReason: task.stoppedReason ?? null,
    ec2InstanceId: task.containerInstance?.ec2InstanceId ?? null,
  };
}

export class SimAdmin {
  constructor(private readonly ctx: SimContext) {}

  tasks(): SimTaskView[] {
    this.ctx.state.pruneStoppedTasks(Date.now());
    return [...this.ctx.state.tasks.values()].map(taskView);
  }

  task(ref: string): SimTaskView {
    return taskView(this.find(ref));
  }

  instances(): SimInstanceView[] {
    return [...this.ctx.state.instances.values()].map((i) => ({
      instanceId: i.id,
      state: i.state,
      privateIp: i.privateIp,
      publicIp: i.publicIp,
      launchTemplateName: i.launchTemplateName,
      containerInstanceArn: i.containerInstance?.arn ?? null,
      containerInstanceStatus: i.containerInstance?.status ?? null,
      runningTasks: i.containerInstance ? this.ctx.state.tasksOnInstance(i.containerInstance).length : 0,
    }));
  }

  setGameserver(ref: string, patch: GameserverPatch): SimTaskView {
    const task = this.find(ref);
    const g = task.gameserver;
    const count = (name: string, value: unknown): number => {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
        throw new SimApiError('InvalidParameterException', `${name} must be a non-negative integer`);
      }
      return value;
    };
    if (patch.mode !== undefined && !MODES.includes(patch.mode)) {
      throw new SimApiError('InvalidParameterException', `mode must be one of ${MODES.join(', ')}`);
    }
    if (patch.sessions !== undefined) g.sessions = count('sessions', patch.sessions);
    if (patch.capacity !== undefined) g.capacity = count('capacity', patch.capacity);
    if (patch.slowMs !== undefined) g.slowMs = count('slowMs', patch.slowMs);
    if (patch.draining !== undefined) g.draining = patch.draining === true;
    if (patch.mode !== undefined) g.mode = patch.mode;
    this.ctx.host.sync(task);
    return taskView(task);
  }

  /** The task dies as if its essential container exited. */
  kill(ref: string, reason = 'Essential container in task exited'): SimTaskView {
    const task = this.find(ref);
    this.ctx.lifecycle.stop(task, { stopCode: 'EssentialContainerExited', reason, exitCode: 1 });
    return taskView(task);
  }

  /** Tasks started outside any manager, e.g. by an operator by hand (no throttling, no injected failures). */
  createTasks(request: StrayRequest): SimTaskView[] {
    const { state } = this.ctx;
    const count = request.count ?? 1;
    if (!Number.isInteger(count) || count < 1 || count > 1000) {
      throw new SimApiError('InvalidParameterException', 'count must be an integer within 1..1000');
    }
    const definition = resolveTaskDefinition(state, request.taskDefinition ?? 'LaunchGameserver');
    const awsvpc = definition.networkMode === 'awsvpc';
    const armed = this.ctx.faults.runTaskFailures;
    this.ctx.faults.runTaskFailures = null;
    try {
      const outcome = launchTasks(this.ctx, {
        cluster: state.resolveCluster(request.cluster),
        definition,
        count,
        launchType: awsvpc ? 'FARGATE' : 'EC2',
        startedBy: request.startedBy,
        tags: new Map(Object.entries(request.tags ?? {})),
        overrides: {},
        subnets: ['subnet-0sim0000000000001'],
        assignPublicIp: true,
        distinctInstance: false,
      });
      return outcome.tasks.map(taskView);
    } finally {
      this.ctx.faults.runTaskFailures = armed;
    }
  }

  setFaults(settings: FaultSettings): FaultsView {
    this.ctx.faults.apply(settings);
    if (settings.throttling !== undefined) {
      this.ctx.throttler.enabled = settings.throttling === true;
      this.ctx.throttler.refill();
    }
    return this.faults();
  }

  faults(): FaultsView {
    const f = this.ctx.faults;
    return { throttling: this.ctx.throttler.enabled, errorRate: f.errorRate, runTaskFailures: f.runTaskFailures };
  }

  calls(): CallCounters {
    return this.ctx.faults.snapshot();
  }

  resetCounters(): void {
    this.ctx.faults.resetCounters();
  }

  private find(ref: string): SimTask {
    const id = ref.startsWith('arn:') ? ref.split('/').pop() : ref;
    const task = id === undefined ? undefined : this.ctx.state.tasks.get(id);
    if (!task) throw new SimNotFoundError(`task ${ref}`);
    return task;
  }
}
