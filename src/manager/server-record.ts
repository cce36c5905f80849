// What the fleet knows about one server, and the questions every part asks of it. Records are read-only outside
// the fleet (src/manager/fleet.ts is their one writer); the functions here only read them.
import type { ServerPorts } from '../shared/gameserver-ports.js';
import type { HealthReport, ServerState } from './types.js';

/** How the manager sees a server's life; `standby` is a separate, durable flag. */
export type Lifecycle = 'pending' | 'running' | 'unhealthy' | 'stopping';

export interface ServerRecord {
  readonly id: string;
  readonly name: string;
  readonly host: string | null;
  /** Where health polls and drain calls go; `host` unless the backend says otherwise. */
  readonly pollHost: string | null;
  readonly ports: ServerPorts | null;
  readonly lifecycle: Lifecycle;
  readonly standby: boolean;
  readonly launchedAt: number;
  /** Last good health report and when the request that produced it was sent. */
  readonly report: HealthReport | null;
  readonly reportSentAt: number;
  /** Where the last good report came from. */
  readonly reportSource: 'poll' | 'heartbeat' | null;
  readonly lastPollAt: number | null;
  readonly lastHealthyAt: number | null;
  /** Consecutive failed polls. */
  readonly failures: number;
  readonly lastError: string | null;
  /** An action (launch bookkeeping, standby, stop) is in flight for this server. */
  readonly busy: boolean;
  /** An operator drained it: it stays on standby until undrained, whatever the policy wants. */
  readonly held: boolean;
  readonly stopReason: string | null;
  /** When this manager first saw it; listing lag after a launch is forgiven for a while. */
  readonly seenAt: number;
  /** Why the name changed (a collision, a name not from the list), shown with the server. */
  readonly nameNote: string | null;
}

export type FleetEvent =
  | { type: 'added'; server: ServerRecord; source: 'launch' | 'discovered' }
  | { type: 'active'; server: ServerRecord }
  | { type: 'unhealthy'; server: ServerRecord; reason: string }
  | { type: 'out_of_rotation'; server: ServerRecord; reason: string }
  | { type: 'removed'; server: ServerRecord; reason: string };

export function stateOf(r: ServerRecord): ServerState {
  if (r.lifecycle === 'stopping') return 'stopping';
  if (r.lifecycle === 'unhealthy') return 'unhealthy';
  if (r.lifecycle === 'pending') return 'pending';
  return r.standby ? 'standby' : 'active';
}

/** Sessions a server holds: what it says, or what its capacity implies. */
export function sessionsOf(r: ServerRecord, defaultCapacity: number): number {
  const report = r.report;
  if (!report) return 0;
  if (report.activeSessions !== undefined) return report.activeSessions;
  if (report.draining) return report.readyToClose ? 0 : 1;
  return Math.max(0, (report.maxCapacity ?? defaultCapacity) - report.availableCapacity);
}

/** `host:gamePort`, the seed's `available` form; null until the server has an address. */
export function gameAddressOf(r: Pick<ServerRecord, 'host' | 'ports'>): string | null {
  return r.host !== null && r.ports !== null ? `${r.host}:${r.ports.game}` : null;
}

export function isSettled(r: ServerRecord): boolean {
  return r.lifecycle === 'running' && r.failures === 0 && r.report !== null && r.host !== null && r.ports !== null && !r.busy;
}

export function isInRotation(r: ServerRecord): boolean {
  return (
    r.lifecycle === 'running' && !r.standby && r.failures === 0 && r.report !== null && r.host !== null && r.ports !== null
  );
}
