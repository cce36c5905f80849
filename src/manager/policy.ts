// The scaling policy of §3.3 as a pure function: (fleet snapshot, config, now) → decisions.
// No I/O, no clock, no logger: everything it needs is in its arguments, so it is table-tested.
import type { ServerState } from './types.js';

export interface PolicyServer {
  id: string;
  state: ServerState;
  /** Sessions the allocator may still hand out here (active servers); 0 when out of rotation. */
  effectiveCapacity: number;
  /** What the server would offer if it were returned to rotation (standby servers). */
  restorableCapacity: number;
  /** Sessions the server reports, or infers from its capacity. */
  sessions: number;
  /** Live reservations the allocator holds on it. */
  reservations: number;
  readyToClose: boolean;
  /** Whether the last poll succeeded. */
  healthy: boolean;
  launchedAt: number;
  /** Another action on this server has not finished yet. */
  busy: boolean;
  /** Drained by an operator: never returned to rotation by the policy. */
  held?: boolean;
  /** Why the server is unhealthy, when it is. */
  problem?: string;
}

export interface PolicyConfig {
  upscaleMargin: number;
  downscaleMargin: number;
  capacity: number;
  minServers: number;
  maxServers: number;
  maxLaunchPerTick: number;
  startTimeoutMs: number;
}

export interface PolicySnapshot {
  servers: PolicyServer[];
  /** Scaling paused by an operator: only unhealthy servers are still replaced. */
  paused: boolean;
}

export type Decision =
  | { kind: 'launch'; count: number; reason: string; free: number; clampedBy?: 'max_servers' | 'launch_cap' }
  | { kind: 'activate'; serverId: string; reason: string; free: number }
  | { kind: 'standby'; serverId: string; reason: string; free: number }
  | { kind: 'stop'; serverId: string; reason: string };

/** Free capacity as §3.3 defines it: active effective capacity plus a full server per pending one. */
export function freeCapacity(servers: readonly PolicyServer[], capacity: number): number {
  let free = 0;
  for (const s of servers) {
    if (s.state === 'active') free += s.effectiveCapacity;
    else if (s.state === 'pending') free += capacity;
  }
  return free;
}

export function decideScale(snapshot: PolicySnapshot, config: PolicyConfig, now: number): Decision[] {
  const decisions: Decision[] = [];
  const stopped = new Set<string>();

  // Replace what is broken first, so that the capacity it took away is counted as missing.
  for (const s of snapshot.servers) {
    if (s.busy || s.state === 'stopping') continue;
    if (s.state === 'unhealthy') {
      decisions.push({ kind: 'stop', serverId: s.id, reason: `unhealthy: ${s.problem ?? 'failed health checks'}` });
      stopped.add(s.id);
    } else if (s.state === 'pending' && now - s.launchedAt > config.startTimeoutMs) {
      decisions.push({ kind: 'stop', serverId: s.id, reason: `start timeout: not healthy after ${config.startTimeoutMs} ms` });
      stopped.add(s.id);
    }
  }
  const live = snapshot.servers.filter((s) => s.state !== 'stopping' && !stopped.has(s.id));
  let free = freeCapacity(live, config.capacity);
  if (snapshot.paused) {
    // Paused keeps the fleet's size: what was stopped as broken is replaced one for one, nothing more.
    const count = Math.min(stopped.size, Math.max(0, config.maxServers - live.length), config.maxLaunchPerTick);
    if (count > 0) decisions.push({ kind: 'launch', count, reason: 'replacing stopped servers while paused', free });
    return decisions;
  }
  const activated = new Set<string>();

  if (free < config.upscaleMargin) {
    // Cheapest capacity first: servers already running, on standby, with the most room.
    const standby = live
      .filter((s) => s.state === 'standby' && !s.busy && !s.held && s.healthy && s.restorableCapacity > 0)
      .sort((a, b) => b.restorableCapacity - a.restorableCapacity || a.id.localeCompare(b.id));
    for (const s of standby) {
      if (free >= config.upscaleMargin) break;
      free += s.restorableCapacity;
      activated.add(s.id);
      decisions.push({ kind: 'activate', serverId: s.id, reason: 'free capacity below upscale margin', free });
    }
  }

  // Standby servers that are empty and say so are done: stop them (they hold no capacity).
  let fleetSize = live.length;
  for (const s of live) {
    if (s.state !== 'standby' || s.busy || activated.has(s.id)) continue;
    if (s.readyToClose && s.sessions === 0 && s.reservations === 0) {
      decisions.push({ kind: 'stop', serverId: s.id, reason: 'standby and ready to close' });
      fleetSize -= 1;
    }
  }

  const forMargin = Math.ceil(Math.max(0, config.upscaleMargin - free) / config.capacity);
  const forMinimum = Math.max(0, config.minServers - fleetSize);
  const wanted = Math.max(forMargin, forMinimum);
  if (wanted > 0) {
    const room = Math.max(0, config.maxServers - fleetSize);
    const count = Math.min(wanted, room, config.maxLaunchPerTick);
    const reason = forMargin >= forMinimum ? 'free capacity below upscale margin' : 'fewer servers than MIN_SERVERS';
    const launch: Decision = { kind: 'launch', count, reason, free };
    // A clamped launch is still reported (even with count 0), so the log says why the fleet did not grow.
    if (count < wanted) launch.clampedBy = room < config.maxLaunchPerTick ? 'max_servers' : 'launch_cap';
    decisions.push(launch);
    return decisions;
  }

  if (free > config.downscaleMargin) {
    // Emptiest first: the server whose loss takes the least from players, and that will drain soonest.
    const active = live
      .filter((s) => s.state === 'active' && !s.busy)
      .sort(
        (a, b) =>
          a.sessions + a.reservations - (b.sessions + b.reservations) ||
          b.effectiveCapacity - a.effectiveCapacity ||
          b.launchedAt - a.launchedAt ||
          a.id.localeCompare(b.id),
      );
    let activeCount = live.filter((s) => s.state === 'active').length;
    for (const s of active) {
      if (free <= config.downscaleMargin || activeCount <= config.minServers) break;
      // Never go below the upscale margin by standing one down: that would only bounce it back.
      if (free - s.effectiveCapacity < config.upscaleMargin) continue;
      free -= s.effectiveCapacity;
      activeCount -= 1;
      decisions.push({ kind: 'standby', serverId: s.id, reason: 'free capacity above downscale margin', free });
    }
  }
  return decisions;
}
