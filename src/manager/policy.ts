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
  /** When the allocator last handed this server out (SCALE_IN_DELAY counts from it). */
  lastAllocatedAt?: number;
}

export interface PolicyConfig {
  upscaleMargin: number;
  downscaleMargin: number;
  capacity: number;
  minServers: number;
  maxServers: number;
  maxLaunchPerTick: number;
  startTimeoutMs: number;
  /** No standby within this time of a server's launch, the last scale-up, or its last allocation. Default 0. */
  scaleInDelayMs?: number;
}

/** Demand the free capacity does not show (§9), measured at the edges and passed in. */
export interface PolicyDemand {
  /** Allocations waiting for a seat now (`?wait=`): capacity already missing. */
  waiting: number;
  /** Seats announced by live outside signals (POST /api/demand), summed over sources. */
  signalSeats: number;
  /** Seats that arrive while one launch is under way (arrival rate × launch latency); 0 in margin mode. */
  inFlight: number;
  /** What `inFlight` was computed from, for the decision's log line (the policy does not read it). */
  basis?: { ratePerSec: number; launchLatencyMs: number; joinShare: number };
}

export interface PolicySnapshot {
  servers: PolicyServer[];
  /** Scaling paused by an operator: only unhealthy servers are still replaced. */
  paused: boolean;
  demand?: PolicyDemand;
  /** When the fleet last grew (a launch or a return from standby); SCALE_IN_DELAY counts from it. */
  lastScaleUpAt?: number;
  /** Launches died before they became healthy: no launch until this time (exponential back-off with jitter). */
  launchBackoffUntil?: number;
  /**
   * Free capacity as counted at recent ticks. Scale-in weighs the lowest of those younger than SCALE_IN_DELAY, so a
   * surplus must last the whole delay: reservations that come and go (a client that allocates and never joins) make
   * free capacity swing from tick to tick, and a server stood down at the top of a swing comes back at its bottom.
   */
  freeHistory?: readonly FreeSample[];
}

export interface FreeSample {
  at: number;
  free: number;
}

/** The lowest free capacity within `windowMs` before `now`, `free` (the current count) included. */
export function lowestRecentFree(history: readonly FreeSample[] | undefined, free: number, now: number, windowMs: number): number {
  let low = free;
  for (const h of history ?? []) if (now - h.at < windowMs && h.free < low) low = h.free;
  return low;
}

/** Seats to hold free on top of UPSCALE_MARGIN (and DOWNSCALE_MARGIN): the demand terms, whole seats. */
export function demandHeadroom(demand: PolicyDemand | undefined): number {
  if (!demand) return 0;
  return Math.max(0, demand.waiting) + Math.max(0, demand.signalSeats) + Math.ceil(Math.max(0, demand.inFlight));
}

export type Decision =
  | { kind: 'launch'; count: number; reason: string; free: number; headroom?: number; clampedBy?: 'max_servers' | 'launch_cap' | 'backoff' }
  | { kind: 'activate'; serverId: string; reason: string; free: number }
  | { kind: 'standby'; serverId: string; reason: string; free: number; headroom?: number }
  | { kind: 'stop'; serverId: string; reason: string };

/**
 * Whether a decision changes anything. A launch clamped to 0 by MAX_SERVERS is reported (it says why the fleet did
 * not grow) but is no action: it must not bring the next tick forward, log a decision, or wake the loop.
 */
export function isAction(d: Decision): boolean {
  return d.kind !== 'launch' || d.count > 0;
}

/** The launch the policy wanted and MAX_SERVERS forbade entirely, if any. */
export function blockedLaunch(decisions: readonly Decision[]): Extract<Decision, { kind: 'launch' }> | undefined {
  for (const d of decisions) if (d.kind === 'launch' && d.count === 0) return d;
  return undefined;
}

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
  // Waiting allocations, outside signals and arrivals during a launch are seats that free capacity must also cover.
  const headroom = demandHeadroom(snapshot.demand);
  const upscaleAt = config.upscaleMargin + headroom;
  const downscaleAt = config.downscaleMargin + headroom;
  // Named on the decision (for its log line) only when demand moved the thresholds.
  const extra = headroom > 0 ? { headroom } : {};
  const why = headroom > 0 ? 'free capacity below upscale margin plus demand' : 'free capacity below upscale margin';
  if (snapshot.paused) {
    // Paused keeps the fleet's size: what was stopped as broken is replaced one for one, nothing more.
    const count = Math.min(stopped.size, Math.max(0, config.maxServers - live.length), config.maxLaunchPerTick);
    if (count > 0) decisions.push({ kind: 'launch', count, reason: 'replacing stopped servers while paused', free });
    return decisions;
  }
  const activated = new Set<string>();

  if (free < upscaleAt) {
    // Cheapest capacity first: servers already running, on standby, with the most room.
    const standby = live
      .filter((s) => s.state === 'standby' && !s.busy && !s.held && s.healthy && s.restorableCapacity > 0)
      .sort((a, b) => b.restorableCapacity - a.restorableCapacity || a.id.localeCompare(b.id));
    for (const s of standby) {
      if (free >= upscaleAt) break;
      free += s.restorableCapacity;
      activated.add(s.id);
      decisions.push({ kind: 'activate', serverId: s.id, reason: why, free });
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

  const forMargin = Math.ceil(Math.max(0, upscaleAt - free) / config.capacity);
  const forMinimum = Math.max(0, config.minServers - fleetSize);
  const wanted = Math.max(forMargin, forMinimum);
  if (wanted > 0) {
    const room = Math.max(0, config.maxServers - fleetSize);
    const backingOff = snapshot.launchBackoffUntil !== undefined && now < snapshot.launchBackoffUntil;
    const count = backingOff ? 0 : Math.min(wanted, room, config.maxLaunchPerTick);
    const reason = forMargin >= forMinimum ? why : 'fewer servers than MIN_SERVERS';
    const launch: Decision = { kind: 'launch', count, reason, free, ...extra };
    // A clamped launch is still reported (even with count 0), so the log says why the fleet did not grow.
    if (backingOff) launch.clampedBy = 'backoff';
    else if (count < wanted) launch.clampedBy = room < config.maxLaunchPerTick ? 'max_servers' : 'launch_cap';
    decisions.push(launch);
    return decisions;
  }

  const delay = config.scaleInDelayMs ?? 0;
  const recentScaleUp = snapshot.lastScaleUpAt !== undefined && now - snapshot.lastScaleUpAt < delay;
  if (activated.size > 0 || recentScaleUp) return decisions;
  // A server launched, or handed out, less than SCALE_IN_DELAY ago stays: standing it down would only bring it back.
  const settled = (s: PolicyServer): boolean =>
    now - s.launchedAt >= delay && (s.lastAllocatedAt === undefined || now - s.lastAllocatedAt >= delay);

  // The surplus scale-in may give up is the lowest seen over the delay, not the top of a swing.
  let low = lowestRecentFree(snapshot.freeHistory, free, now, delay);
  if (low > downscaleAt) {
    // Emptiest first: the server whose loss takes the least from players, and that will drain soonest.
    const active = live
      .filter((s) => s.state === 'active' && !s.busy && settled(s))
      .sort(
        (a, b) =>
          a.sessions + a.reservations - (b.sessions + b.reservations) ||
          b.effectiveCapacity - a.effectiveCapacity ||
          b.launchedAt - a.launchedAt ||
          a.id.localeCompare(b.id),
      );
    let activeCount = live.filter((s) => s.state === 'active').length;
    for (const s of active) {
      if (low <= downscaleAt || activeCount <= config.minServers) break;
      // Never go below the upscale margin by standing one down: that would only bounce it back. Its players leave in
      // time and the next ones sit elsewhere, so at the low point it takes all its seats with it, not only its free ones.
      const seats = s.effectiveCapacity + s.sessions;
      if (free - s.effectiveCapacity < upscaleAt || low - seats < upscaleAt) continue;
      free -= s.effectiveCapacity;
      low -= seats;
      activeCount -= 1;
      decisions.push({ kind: 'standby', serverId: s.id, reason: 'free capacity above downscale margin', free, ...extra });
    }
  }
  return decisions;
}
