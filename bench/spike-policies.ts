// The five policies bench/spike compares. (a), (c), (d) and (e) are the real `decideScale` (and, for (d) and (e), the
// real DemandEstimates and FreeHistory the manager feeds it); (b) is an Agones-like fixed buffer written here.
import { DemandEstimates } from '../src/manager/demand-estimates.js';
import { FreeHistory } from '../src/manager/free-history.js';
import { decideScale, freeCapacity, isAction, type PolicyConfig, type PolicyServer, type PolicySnapshot } from '../src/manager/policy.js';
import { CAPACITY, used, type FleetView, type SimAction, type SimPolicy, type SimServer } from './spike-sim.js';

/** The seed's margins and the manager's defaults, with room for the spikes. */
const BASE: PolicyConfig = {
  upscaleMargin: 4,
  downscaleMargin: 18,
  capacity: CAPACITY,
  minServers: 1,
  maxServers: 100,
  maxLaunchPerTick: 10,
  startTimeoutMs: 180_000,
};
/** SLEEP_TIME: the manager's default and the seed's. */
const TICK_S = 10;
const SCALE_IN_DELAY_MS = 60_000;
/** The runner's and arena's `?wait=` is up to 60 s. */
export const WAIT_S = 60;

function toPolicyServer(s: SimServer, now: number): PolicyServer {
  const free = CAPACITY - used(s);
  const out: PolicyServer = {
    id: s.id,
    state: s.state,
    effectiveCapacity: s.state === 'active' ? free : 0,
    restorableCapacity: s.state === 'standby' ? free : 0,
    sessions: used(s),
    reservations: 0,
    readyToClose: s.state === 'standby' && used(s) === 0,
    healthy: true,
    launchedAt: s.launchedAt * 1000,
    busy: false,
  };
  if (s.lastAllocatedAt !== undefined) out.lastAllocatedAt = s.lastAllocatedAt * 1000;
  void now;
  return out;
}

function toActions(decisions: ReturnType<typeof decideScale>): SimAction[] {
  return decisions.filter(isAction).map((d) => (d.kind === 'launch' ? { kind: 'launch', count: d.count } : { kind: d.kind, serverId: d.serverId }));
}

interface ArbiterOptions {
  name: string;
  demandAware: boolean;
  waitS: number;
}

/** (c), (d), (e): the manager's policy with its inputs, as the reconciler builds them. */
function arbiter({ name, demandAware, waitS }: ArbiterOptions): SimPolicy {
  const estimates = new DemandEstimates();
  const history = new FreeHistory();
  const config: PolicyConfig = { ...BASE, scaleInDelayMs: SCALE_IN_DELAY_MS };
  let lastScaleUpAt: number | undefined;
  return {
    name,
    intervalS: TICK_S,
    wakes: true,
    waitS,
    arrival: (at) => estimates.arrival(at * 1000),
    launched: (latencyS) => estimates.launched(latencyS * 1000),
    outcome: (joined) => estimates.reservationOutcome(joined),
    decide(view: FleetView): SimAction[] {
      const nowMs = view.now * 1000;
      const servers = view.servers.map((s) => toPolicyServer(s, view.now));
      const snapshot: PolicySnapshot = {
        servers,
        paused: false,
        demand: { waiting: view.waiting, signalSeats: 0, inFlight: demandAware ? estimates.inFlight(nowMs) : 0 },
        freeHistory: history.list(),
      };
      if (lastScaleUpAt !== undefined) snapshot.lastScaleUpAt = lastScaleUpAt;
      const decisions = decideScale(snapshot, config, nowMs);
      history.record(nowMs, freeCapacity(servers, CAPACITY), SCALE_IN_DELAY_MS);
      if (decisions.some((d) => (d.kind === 'launch' && d.count > 0) || d.kind === 'activate')) lastScaleUpAt = nowMs;
      return toActions(decisions);
    },
  };
}

/** (a) The seed: the same margins, one scaling action per 10 s tick, no wake on "no room", no scale-in delay. */
function seed(): SimPolicy {
  const config: PolicyConfig = { ...BASE, maxLaunchPerTick: 1 };
  return {
    name: '(a) seed',
    intervalS: TICK_S,
    wakes: false,
    waitS: 0,
    decide(view) {
      const servers = view.servers.map((s) => toPolicyServer(s, view.now));
      const actions = toActions(decideScale({ servers, paused: false }, config, view.now * 1000));
      // Stopping an empty standby server is bookkeeping the seed did besides its one action.
      const first = actions.find((a) => a.kind !== 'stop');
      return [...actions.filter((a) => a.kind === 'stop'), ...(first ? [first] : [])];
    },
  };
}

/**
 * (b) Agones-like: a Fleet with a FleetAutoscaler buffer policy synced every 30 s. Gameservers with anyone on them are
 * "allocated"; the fleet is resized to allocated + buffer, shrinking only by deleting empty ones. Buffer 2 servers
 * (20 seats, between the margins 4 and 18); allocations never wait.
 */
function agonesBuffer(bufferServers = 2): SimPolicy {
  return {
    name: '(b) agones buffer',
    intervalS: 30,
    wakes: false,
    waitS: 0,
    decide(view) {
      const allocated = view.servers.filter((s) => used(s) > 0).length;
      const desired = Math.min(BASE.maxServers, Math.max(BASE.minServers, allocated + bufferServers));
      const current = view.servers.length;
      if (desired > current) return [{ kind: 'launch', count: desired - current }];
      const empty = view.servers.filter((s) => used(s) === 0).sort((a, b) => b.launchedAt - a.launchedAt);
      return empty.slice(0, current - desired).map((s) => ({ kind: 'stop', serverId: s.id }));
    },
  };
}

export function makePolicies(): SimPolicy[] {
  return [
    seed(),
    agonesBuffer(),
    arbiter({ name: '(c) margins', demandAware: false, waitS: 0 }),
    arbiter({ name: '(d) demand', demandAware: true, waitS: 0 }),
    arbiter({ name: '(e) demand+wait', demandAware: true, waitS: WAIT_S }),
  ];
}
