// Answers about the policy that running totals can give without a snapshot of the fleet. At 10,000 servers a
// snapshot takes milliseconds in one block of the manager's thread; the demand watch asks up to 10 times a second
// while allocations arrive, and a steady tick asks every SLEEP_TIME. Each shortcut is sound, not complete: `true`
// only when `decideScale` on the full snapshot would agree (the property tests check it); `false` means "run it".
import { demandHeadroom, type PolicyConfig, type PolicyDemand } from './policy.js';
import type { ServerState } from './types.js';

export interface FleetTotals {
  paused: boolean;
  /** Effective capacity summed over the servers in rotation (the policy's free capacity of active servers). */
  activeFree: number;
  /** Servers in each state. */
  counts: Readonly<Record<ServerState, number>>;
  demand?: PolicyDemand;
  /** When the fleet last grew; SCALE_IN_DELAY counts from it. */
  lastScaleUpAt?: number;
}

/** Free capacity as `freeCapacity` counts it over every server: a full server per pending one. */
export function totalFree(t: FleetTotals, config: Pick<PolicyConfig, 'capacity'>): number {
  return t.activeFree + t.counts.pending * config.capacity;
}

/**
 * True only when the policy would neither launch nor return a standby server. Free capacity over the live servers
 * is at least the active servers' (no active server is ever stopped as broken), and the fleet it sizes against
 * MIN_SERVERS has at least the active ones. Paused: broken servers are replaced one for one, so ask the policy.
 */
export function cannotScaleUp(t: FleetTotals, config: PolicyConfig): boolean {
  if (t.paused) return false;
  return t.activeFree >= config.upscaleMargin + demandHeadroom(t.demand) && t.counts.active >= config.minServers;
}

/**
 * True only when the policy would decide nothing at all: nothing pending (a start timeout), unhealthy or on standby
 * (nothing to stop or return), no scale-up, and no scale-in, because free capacity is at or below the downscale
 * threshold, the active servers are no more than MIN_SERVERS, or the fleet grew within SCALE_IN_DELAY.
 */
export function isQuiet(t: FleetTotals, config: PolicyConfig, now: number): boolean {
  const { pending, unhealthy, standby, active } = t.counts;
  if (pending > 0 || unhealthy > 0 || standby > 0 || !cannotScaleUp(t, config)) return false;
  const delay = config.scaleInDelayMs ?? 0;
  const recentScaleUp = t.lastScaleUpAt !== undefined && now - t.lastScaleUpAt < delay;
  return recentScaleUp || active <= config.minServers || t.activeFree <= config.downscaleMargin + demandHeadroom(t.demand);
}
