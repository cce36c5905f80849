// Walks tasks through the ECS lastStatus sequence on timers, and opens/closes their gameservers on the way.
import type { Endpoint, GameserverHosting } from './gameserver-host.js';
import type { LastStatus, SimTask } from './model.js';
import type { SimState } from './state.js';
import { WEB_PORT } from './task-definitions.js';

const LAUNCH_STEPS: LastStatus[] = ['PENDING', 'ACTIVATING'];
const STOP_STEPS: LastStatus[] = ['DEACTIVATING', 'STOPPING', 'DEPROVISIONING'];

export interface StopRequest {
  stopCode: string;
  reason: string;
  exitCode?: number;
}

export interface SimLog {
  info(message: string, fields: Record<string, unknown>): void;
  warn(message: string, fields: Record<string, unknown>): void;
}

export class TaskLifecycle {
  private readonly timers = new Map<SimTask, NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly state: SimState,
    private readonly host: GameserverHosting,
    private readonly log: SimLog,
  ) {}

  /** Starts the PROVISIONING → … → RUNNING walk of a new task. */
  launch(task: SimTask): void {
    const step = this.state.options.launchLatencyMs / 3;
    let index = 0;
    const advance = (): void => {
      this.timers.delete(task);
      if (task.desiredStatus === 'STOPPED' || this.closed) return;
      const next = LAUNCH_STEPS[index++];
      if (next !== undefined) {
        this.setStatus(task, next);
        this.schedule(task, step, advance);
        return;
      }
      void this.bringUp(task);
    };
    this.schedule(task, step, advance);
  }

  /** Sets desiredStatus STOPPED at once and walks DEACTIVATING → … → STOPPED. A no-op for stopping tasks. */
  stop(task: SimTask, request: StopRequest): void {
    if (task.desiredStatus === 'STOPPED') return;
    const now = Date.now();
    task.desiredStatus = 'STOPPED';
    task.stopCode = request.stopCode;
    task.stoppedReason = request.reason;
    task.exitCode = request.exitCode;
    task.stoppingAt = now;
    task.version += 1;
    const pending = this.timers.get(task);
    if (pending) clearTimeout(pending);
    this.timers.delete(task);
    const step = this.state.options.stopLatencyMs / 4;
    let index = 0;
    const advance = (): void => {
      this.timers.delete(task);
      const next = STOP_STEPS[index++];
      if (next === undefined) {
        this.finishStop(task);
        return;
      }
      this.setStatus(task, next);
      if (next === 'STOPPING') this.closeGameserver(task);
      this.schedule(task, step, advance);
    };
    this.schedule(task, step, advance);
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private schedule(task: SimTask, delayMs: number, fn: () => void): void {
    if (this.closed) return;
    this.timers.set(task, setTimeout(fn, delayMs));
  }

  private setStatus(task: SimTask, status: LastStatus): void {
    task.lastStatus = status;
    task.version += 1;
  }

  /** Binds the gameserver's listeners, then reports RUNNING; a task whose listener cannot bind fails to start. */
  private async bringUp(task: SimTask): Promise<void> {
    try {
      task.hostPorts = await this.host.open(task, endpointsOf(task));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'UNKNOWN';
      this.log.warn('gameserver listener failed', { taskId: task.id, address: task.address, code });
      if (task.desiredStatus === 'RUNNING') {
        this.stop(task, { stopCode: 'TaskFailedToStart', reason: `CannotStartContainerError: listen ${code}` });
      }
      return;
    }
    if (task.desiredStatus === 'STOPPED' || this.closed) {
      this.closeGameserver(task);
      return;
    }
    task.startedAt = Date.now();
    this.setStatus(task, 'RUNNING');
  }

  private closeGameserver(task: SimTask): void {
    this.host.closeTask(task).catch((err: unknown) => {
      this.log.warn('gameserver listener close failed', { taskId: task.id, error: (err as Error).message });
    });
  }

  private finishStop(task: SimTask): void {
    this.closeGameserver(task);
    task.stoppedAt = Date.now();
    this.setStatus(task, 'STOPPED');
    if (task.eni) {
      task.eni.status = 'deleted';
      this.state.addresses.release(task.eni.privateIp);
    }
  }
}

/**
 * The first container's port mappings become listeners. Health answers on the mapping named `web` (or port 3080, or
 * the only mapping). awsvpc tasks skip the game port to halve file descriptors; bridge tasks bind every mapping on
 * port 0 so each gets a distinct host port, as the ECS agent's dynamic port mapping does.
 */
function endpointsOf(task: SimTask): Endpoint[] {
  const container = task.definition.containers[0];
  const ip = task.address;
  if (!container || ip === undefined) return [];
  const mappings = container.portMappings;
  const web =
    mappings.find((m) => m.name === 'web') ??
    mappings.find((m) => m.containerPort === WEB_PORT) ??
    (mappings.length === 1 ? mappings[0] : undefined);
  const awsvpc = task.definition.networkMode === 'awsvpc';
  const endpoints: Endpoint[] = [];
  for (const m of mappings) {
    if (m.protocol !== 'tcp') continue;
    const kind = m === web ? 'web' : 'game';
    if (awsvpc && kind === 'game') continue;
    const hostPort = awsvpc ? m.containerPort : task.definition.networkMode === 'host' ? m.containerPort : (m.hostPort ?? 0);
    endpoints.push({ ip, containerPort: m.containerPort, hostPort, kind });
  }
  return endpoints;
}
