// Shared vocabulary of the manager: what a backend reports, what a gameserver's /health/ says,
// and the per-server record that the fleet owns.

import type { ServerPorts } from '../shared/gameserver-ports.js';

/** Where the backend says a server is in its life, independent of the manager's own state. */
export type BackendStatus = 'starting' | 'running' | 'stopping' | 'stopped';

/** One gameserver as a backend sees it (an ECS task, a local child process). */
export interface BackendServer {
  /** Stable id: the task ARN in ECS, `local-<n>` in local mode. */
  id: string;
  /** Human-readable name, unique within the fleet. */
  name: string;
  /** Address the manager polls and hands out; null until the backend knows it. */
  host: string | null;
  ports: ServerPorts | null;
  /**
   * Address to poll for health when it differs from `host`: inside a VPC the manager reaches a
   * task on its private IP while clients use the public one.
   */
  pollHost?: string | null;
  status: BackendStatus;
  /** Durable standby mark (an ECS task tag; in-memory for local mode). */
  standby: boolean;
  /** An operator's drain, recorded with standby (ECS tag `arbiter:held`), so a restarted manager keeps it out of rotation. */
  held?: boolean;
  /** When the backend launched it, epoch milliseconds. */
  launchedAt: number;
  /** Why the backend stopped it (ECS `stoppedReason`, or the process exit). */
  stoppedReason?: string;
}

/** A gameserver's answer to GET /health/, validated (§3.1). */
export interface HealthReport {
  availableCapacity: number;
  readyToClose: boolean;
  maxCapacity?: number;
  activeSessions?: number;
  draining?: boolean;
}

/** Manager-side life of a server (§3.3). */
export type ServerState = 'pending' | 'active' | 'standby' | 'stopping' | 'unhealthy';
