// A fleet of whole servers (10 seats each) driven tick by tick through the real policy, for the no-flapping
// properties: a launch is active at the next tick, players are packed onto active servers in order, and the
// reconciler's FreeHistory feeds the policy as it does in the manager.
import { FreeHistory } from '../../src/manager/free-history.js';
import { decideScale, freeCapacity, type PolicyDemand } from '../../src/manager/policy.js';
import { makePolicyConfig, makePolicyServer, makeSnapshot } from './factories.js';

export interface FleetRun {
  /** Seats in use at tick t (10 s apart). */
  load: (tick: number) => number;
  ticks: number;
  scaleInDelayMs: number;
  demand?: PolicyDemand;
  /** Active servers at the start. */
  initialServers?: number;
  /** Whether a standby server reports ready_to_close (so the policy may stop it). */
  standbyReadyToClose?: boolean;
}

/** The kinds of every decision the policy made, in order. */
export function simulateFleet(run: FleetRun): string[] {
  const config = makePolicyConfig({ scaleInDelayMs: run.scaleInDelayMs, maxServers: 1000, maxLaunchPerTick: 1000 });
  let next = 0;
  const newServer = (launchedAt: number) => ({ id: `s${String(next++).padStart(4, '0')}`, launchedAt, standby: false });
  let servers = Array.from({ length: run.initialServers ?? 0 }, () => newServer(0));
  let lastScaleUpAt: number | undefined;
  const history = new FreeHistory();
  const kinds: string[] = [];
  for (let t = 0; t < run.ticks; t++) {
    const now = t * 10_000;
    let left = run.load(t);
    const policyServers = servers.map((s) => {
      if (s.standby) {
        return makePolicyServer({ id: s.id, state: 'standby', effectiveCapacity: 0, restorableCapacity: 10, readyToClose: run.standbyReadyToClose ?? false, launchedAt: s.launchedAt });
      }
      const used = Math.min(10, left);
      left -= used;
      return makePolicyServer({ id: s.id, state: 'active', effectiveCapacity: 10 - used, sessions: used, launchedAt: s.launchedAt });
    });
    const snapshot = makeSnapshot({ servers: policyServers, freeHistory: history.list() });
    if (run.demand) snapshot.demand = run.demand;
    if (lastScaleUpAt !== undefined) snapshot.lastScaleUpAt = lastScaleUpAt;
    const decisions = decideScale(snapshot, config, now);
    history.record(now, freeCapacity(policyServers, 10), run.scaleInDelayMs);
    for (const d of decisions) {
      kinds.push(d.kind);
      if (d.kind === 'launch') {
        for (let i = 0; i < d.count; i++) servers.push(newServer(now));
        if (d.count > 0) lastScaleUpAt = now;
      } else if (d.kind === 'activate') {
        servers = servers.map((s) => (s.id === d.serverId ? { ...s, standby: false } : s));
        lastScaleUpAt = now;
      } else if (d.kind === 'standby') {
        servers = servers.map((s) => (s.id === d.serverId ? { ...s, standby: true } : s));
      } else if (d.kind === 'stop') {
        servers = servers.filter((s) => s.id !== d.serverId);
      }
    }
  }
  return kinds;
}
