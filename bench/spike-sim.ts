// The fleet of bench/spike in virtual time: servers that take a launch latency T to enter rotation, a packed allocator,
// sessions and unjoined reservations that hold seats, allocations that may wait, and the policy under test run at its
// ticks and wakes. No clock and no sleeping: a 4-hour trace replays in well under a second.
import type { Arrival, Trace } from './spike-traces.js';
import { percentile } from './harness.js';

export const CAPACITY = 10;
/** A client that never joins holds its seat this long (JOIN_GRACE, default 3 s). */
export const JOIN_GRACE_S = 3;
/** The real manager learns whether a reservation was joined when it reaches its TTL (RESERVATION_TTL, default 30 s). */
const OUTCOME_AFTER_S = 30;
const STEP_S = 0.25;

export interface SimServer {
  id: string;
  state: 'pending' | 'active' | 'standby';
  launchedAt: number;
  readyAt: number;
  /** End times of the seats it holds: sessions, and reservations never joined (until JOIN_GRACE). */
  seats: number[];
  lastAllocatedAt?: number;
}

export type SimAction = { kind: 'launch'; count: number } | { kind: 'activate' | 'standby' | 'stop'; serverId: string };

/** What a policy sees and how it tells the fleet what to do. `decide` runs at ticks and wakes; it returns actions. */
export interface SimPolicy {
  name: string;
  /** Seconds between scheduled decisions. */
  intervalS: number;
  /** Whether "no room" and waiting allocations bring the next decision forward (spaced 1 s), as the manager does. */
  wakes: boolean;
  /** How long an allocation may wait for a seat, seconds; 0: no room means the backup at once. */
  waitS: number;
  decide(view: FleetView): SimAction[];
  /** Told of what happened, for the estimates a policy keeps (arrival rate, launch latency, join share). */
  arrival?(at: number): void;
  launched?(latencyS: number): void;
  outcome?(joined: boolean): void;
}

export interface FleetView {
  now: number;
  servers: readonly SimServer[];
  waiting: number;
}

export interface SimResult {
  arrivals: number;
  atOnce: number;
  afterWait: number;
  waitP50: number;
  waitP99: number;
  backup: number;
  serverSeconds: number;
  peakIdle: number;
  launches: number;
  stops: number;
  flaps: number;
  ecsCalls: number;
  /** Arrivals in [jump, jump + 0.9 T) and how many of them were served at once; the bound B + freed seats. */
  jump?: { arrivals: number; atOnce: number; idleAtJump: number; freed: number };
}

export const used = (s: SimServer): number => s.seats.length;

export function simulate(trace: Trace, policy: SimPolicy, launchLatencyS: number, rand: () => number): SimResult {
  const servers: SimServer[] = [];
  const waiters: Array<{ arrival: Arrival; at: number }> = [];
  const outcomes: Array<{ at: number; joined: boolean }> = [];
  const waits: number[] = [];
  const r: SimResult = { arrivals: trace.arrivals.length, atOnce: 0, afterWait: 0, waitP50: 0, waitP99: 0, backup: 0, serverSeconds: 0, peakIdle: 0, launches: 0, stops: 0, flaps: 0, ecsCalls: 0 };
  const jumpAt = trace.jumpAt;
  // The earliest a server launched at the jump can take players (launch latencies vary ±10 %).
  const jumpEnd = jumpAt === undefined ? -1 : jumpAt + 0.9 * launchLatencyS;
  const jump = jumpAt === undefined ? undefined : { arrivals: 0, atOnce: 0, idleAtJump: -1, freed: 0 };
  let next = 0;
  let nextId = 0;
  let nextDecision = 0;
  let lastShrinkAt = Number.NEGATIVE_INFINITY;
  let wake = false;
  let lastWakeAt = Number.NEGATIVE_INFINITY;

  const place = (arrival: Arrival, now: number): boolean => {
    // Packed: the fullest active server with room, then the oldest (the manager's default strategy).
    let best: SimServer | undefined;
    for (const s of servers) {
      if (s.state !== 'active' || used(s) >= CAPACITY) continue;
      if (!best || used(s) > used(best) || (used(s) === used(best) && s.launchedAt < best.launchedAt)) best = s;
    }
    if (!best) return false;
    best.seats.push(now + (arrival.joins ? arrival.sessionS : JOIN_GRACE_S));
    best.lastAllocatedAt = now;
    outcomes.push({ at: now + OUTCOME_AFTER_S, joined: arrival.joins });
    return true;
  };

  for (let now = 0; now <= trace.durationS; now += STEP_S) {
    // The fleet moves on: launches enter rotation, sessions end, unjoined reservations lapse.
    for (const s of servers) {
      if (s.state === 'pending' && s.readyAt <= now) {
        s.state = 'active';
        policy.launched?.(s.readyAt - s.launchedAt);
      }
      const before = s.seats.length;
      s.seats = s.seats.filter((end) => end > now);
      if (jump && now >= (jumpAt as number) && now < jumpEnd) jump.freed += before - s.seats.length;
    }
    if (outcomes.length > 0 && policy.outcome) {
      const due = outcomes.filter((o) => o.at <= now);
      for (const o of due) policy.outcome(o.joined);
      if (due.length > 0) outcomes.splice(0, outcomes.length, ...outcomes.filter((o) => o.at > now));
    } else if (!policy.outcome) outcomes.length = 0;
    if (jump && jump.idleAtJump < 0 && now >= (jumpAt as number)) {
      // B: seats free in rotation at the jump, and those of servers already starting (they may arrive within the window).
      jump.idleAtJump = servers.reduce((n, s) => n + (s.state === 'active' ? CAPACITY - used(s) : s.state === 'pending' ? CAPACITY : 0), 0);
    }
    // Waiting allocations first come, first served; past their wait they get the backup.
    while (waiters.length > 0) {
      const w = waiters[0] as { arrival: Arrival; at: number };
      if (now - w.at > policy.waitS) {
        waiters.shift();
        r.backup += 1;
        continue;
      }
      if (!place(w.arrival, now)) break;
      waiters.shift();
      r.afterWait += 1;
      waits.push(now - w.at);
    }
    // New arrivals of this step.
    while (next < trace.arrivals.length && (trace.arrivals[next] as Arrival).at <= now) {
      const a = trace.arrivals[next++] as Arrival;
      policy.arrival?.(now);
      const inJump = jump && a.at >= (jumpAt as number) && a.at < jumpEnd;
      if (inJump) jump.arrivals += 1;
      if (waiters.length === 0 && place(a, now)) {
        r.atOnce += 1;
        if (inJump) jump.atOnce += 1;
      } else {
        wake = true;
        // Players and matches come through clients that wait (the runner, the arena); a polling client does not.
        if (policy.waitS > 0 && a.joins) waiters.push({ arrival: a, at: now });
        else r.backup += 1;
      }
    }
    if (waiters.length > 0) wake = true;
    const woken = policy.wakes && wake && now - lastWakeAt >= 1;
    if (now >= nextDecision || woken) {
      if (woken) lastWakeAt = now;
      wake = false;
      nextDecision = now + policy.intervalS;
      for (const d of policy.decide({ now, servers, waiting: waiters.length })) {
        if (d.kind === 'launch') {
          if (d.count <= 0) continue;
          if (now - lastShrinkAt < 60) r.flaps += 1;
          r.launches += d.count;
          r.ecsCalls += Math.ceil(d.count / 10);
          for (let i = 0; i < d.count; i++) {
            const latency = launchLatencyS * (0.9 + 0.2 * rand());
            servers.push({ id: `s${String(nextId++).padStart(5, '0')}`, state: 'pending', launchedAt: now, readyAt: now + latency, seats: [] });
          }
          continue;
        }
        const i = servers.findIndex((s) => s.id === d.serverId);
        if (i < 0) continue;
        const s = servers[i] as SimServer;
        r.ecsCalls += 1;
        if (d.kind === 'stop') {
          servers.splice(i, 1);
          r.stops += 1;
          lastShrinkAt = now;
        } else if (d.kind === 'standby') {
          s.state = 'standby';
          lastShrinkAt = now;
        } else {
          if (now - lastShrinkAt < 60) r.flaps += 1;
          s.state = 'active';
        }
      }
    }
    r.serverSeconds += servers.length * STEP_S;
    const idle = servers.reduce((n, s) => n + CAPACITY - used(s), 0);
    if (idle > r.peakIdle) r.peakIdle = idle;
  }
  r.backup += waiters.length;
  waits.sort((a, b) => a - b);
  r.waitP50 = waits.length > 0 ? percentile(waits, 50) : 0;
  r.waitP99 = waits.length > 0 ? percentile(waits, 99) : 0;
  if (jump) r.jump = jump;
  return r;
}
