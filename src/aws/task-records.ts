// Pure mapping from ECS task descriptions to the manager's BackendServer records.
import type { Task, Tag } from '@aws-sdk/client-ecs';
import type { ServerPorts } from '../shared/gameserver-ports.js';
import type { BackendServer, BackendStatus } from '../manager/types.js';

export const FLEET_TAG = 'arbiter:fleet';
export const NAME_TAG = 'arbiter:name';
export const STANDBY_TAG = 'arbiter:standby';
/** An operator's drain: the policy never returns such a task to rotation, across restarts too. */
export const HELD_TAG = 'arbiter:held';

const STATUS: Record<string, BackendStatus> = {
  PROVISIONING: 'starting',
  PENDING: 'starting',
  ACTIVATING: 'starting',
  RUNNING: 'running',
  DEACTIVATING: 'stopping',
  STOPPING: 'stopping',
  DEPROVISIONING: 'stopping',
  STOPPED: 'stopped',
  DELETED: 'stopped',
};

export function backendStatusOf(task: Task): BackendStatus {
  // A task the service has been told to stop is on its way out even while lastStatus still says RUNNING.
  const last = STATUS[task.lastStatus ?? ''] ?? 'starting';
  if (last !== 'stopped' && task.desiredStatus === 'STOPPED' && last !== 'starting') return 'stopping';
  return last;
}

/**
 * The server's human name: its name tag, written at RunTask by the manager, which owns names. A task without one
 * (launched by an older manager, or in EC2 instance mode) has none yet: the manager names it and tags it.
 */
export function serverNameOf(task: Task): string {
  return tagValue(task.tags, NAME_TAG) ?? '';
}

export function tagValue(tags: Tag[] | undefined, key: string): string | undefined {
  return tags?.find((t) => t.key === key)?.value;
}

export interface ResolvedAddress {
  host: string;
  /** Where health polls go (the private IP when the manager is in the VPC). */
  pollHost: string;
  ports: ServerPorts;
}

export function toBackendServer(task: Task, fleetId: string, address: ResolvedAddress | null): BackendServer {
  const status = backendStatusOf(task);
  const server: BackendServer = {
    id: task.taskArn ?? '',
    name: serverNameOf(task),
    host: address?.host ?? null,
    pollHost: address?.pollHost ?? null,
    ports: address?.ports ?? null,
    status,
    standby: tagValue(task.tags, STANDBY_TAG) === 'true',
    held: tagValue(task.tags, STANDBY_TAG) === 'true' && tagValue(task.tags, HELD_TAG) === 'true',
    launchedAt: (task.createdAt ?? task.startedAt)?.getTime() ?? 0,
  };
  if (status === 'stopped' || task.stoppedReason) {
    server.stoppedReason = task.stoppedReason ?? task.stopCode ?? 'stopped';
  }
  return server;
}
