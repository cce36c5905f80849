// Prometheus metrics of the manager. Counters are bumped where things happen; fleet gauges are
// computed when Prometheus scrapes, from the fleet's own state, so they can never drift.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { AllocationTally, type AllocationResultLabel } from './allocation-tally.js';
import type { ServerState } from './types.js';

export interface FleetGaugeSource {
  countByState(): Record<ServerState, number>;
  freeCapacity(): number;
  reservations(): number;
  paused(): boolean;
  /** Sessions the servers in the fleet report now. */
  sessions(): number;
}

export interface ManagerMetrics {
  registry: Registry;
  /** Allocations count through recordAllocation; reading the counter (a scrape, get()) adds those counts first. */
  allocations: Counter<'result'>;
  decisions: Counter<'kind'>;
  polls: Counter<'result'>;
  launchFailures: Counter<'reason'>;
  backendErrors: Counter<'operation'>;
  ticks: Counter<'result'>;
  wakes: Counter<'cause'>;
  tickSeconds: Histogram;
  /** Read it through the registry, like `allocations`. */
  allocationSeconds: Histogram;
  /** One allocation answered: counted in `allocations` and timed in `allocationSeconds`, cheaply (allocation-tally.ts). */
  recordAllocation(result: AllocationResultLabel, seconds: number): void;
  /** 1 while the policy wants servers that MAX_SERVERS does not allow. */
  scalingClamped: Gauge;
  /** Launched servers that went away before they were ever healthy. */
  startFailures: Counter;
  /** Sessions that began, as seen in the rise of a server's reported sessions from one report to the next. */
  sessionsStarted: Counter;
  /** Two live servers found with one name (one is renamed). */
  nameCollisions: Counter;
  /** Connects the fleet gauges to the manager that owns the fleet. */
  bindFleet(source: FleetGaugeSource): void;
}

const STATES: ServerState[] = ['pending', 'active', 'standby', 'stopping', 'unhealthy'];

/**
 * Every label value the code can count, so each series exists at 0 from the first scrape: an alert on
 * `increase(...)` then sees the first failure instead of a series that appears already at 1. Launch failures carry
 * the backend's reason, so ECS's documented ones are listed with this code's own.
 */
const KNOWN_LABELS = {
  allocations: ['server', 'reused', 'backup', 'none'],
  decisions: ['launch', 'activate', 'standby', 'stop'],
  polls: ['ok', 'failed', 'inconclusive', 'error'],
  launchFailures: ['RESOURCE:MEMORY', 'RESOURCE:CPU', 'RESOURCE:PORTS', 'AGENT', 'MISSING', 'INSTANCE_CAPACITY', 'backoff', 'spawn-error', 'launch-error', 'backend-closed'],
  backendErrors: ['launch', 'stop', 'mark_standby', 'list', 'refresh', 'rename'],
  ticks: ['ok', 'incomplete', 'error'],
  wakes: ['no_room', 'demand', 'unhealthy', 'operator', 'schedule'],
} as const;

function zeroEach<L extends string>(counter: Counter<L>, label: L, values: readonly string[]): void {
  for (const v of values) counter.inc({ [label]: v } as Partial<Record<L, string>>, 0);
}

const ALLOCATION_BUCKETS = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05];

export function createManagerMetrics(registry = new Registry()): ManagerMetrics {
  let source: FleetGaugeSource | null = null;
  // Set below, before anything can read the two metrics whose collect hooks use it.
  let tally: AllocationTally | null = null;
  const metrics: ManagerMetrics = {
    registry,
    allocations: new Counter({
      name: 'arbiter_allocations_total',
      help: 'Allocation requests by result (server, reused, backup, none).',
      labelNames: ['result'],
      registers: [registry],
      collect() {
        tally?.flushCounter();
      },
    }),
    decisions: new Counter({
      name: 'arbiter_scaling_decisions_total',
      help: 'Scaling decisions by kind.',
      labelNames: ['kind'],
      registers: [registry],
    }),
    polls: new Counter({
      name: 'arbiter_health_polls_total',
      help: 'Gameserver health polls by result (ok, failed; inconclusive: the prober could not send it, e.g. its worker stopped; error: a round of polls that failed as a whole).',
      labelNames: ['result'],
      registers: [registry],
    }),
    launchFailures: new Counter({
      name: 'arbiter_launch_failures_total',
      help: 'Servers a launch could not start, by reason.',
      labelNames: ['reason'],
      registers: [registry],
    }),
    backendErrors: new Counter({
      name: 'arbiter_backend_errors_total',
      help: 'Backend calls that failed, by operation.',
      labelNames: ['operation'],
      registers: [registry],
    }),
    ticks: new Counter({
      name: 'arbiter_ticks_total',
      help: 'Reconcile ticks by result (ok, incomplete, error).',
      labelNames: ['result'],
      registers: [registry],
    }),
    scalingClamped: new Gauge({
      name: 'arbiter_scaling_clamped',
      help: '1 while the policy wants more servers than MAX_SERVERS allows (free capacity stays under the margin).',
      registers: [registry],
    }),
    startFailures: new Counter({
      name: 'arbiter_start_failures_total',
      help: 'Launched servers that went away before they were ever healthy (each one backs launches off).',
      registers: [registry],
    }),
    wakes: new Counter({
      name: 'arbiter_loop_wakes_total',
      help: 'Reconcile ticks brought forward, by cause (no_room, demand, unhealthy, operator, schedule).',
      labelNames: ['cause'],
      registers: [registry],
    }),
    tickSeconds: new Histogram({
      name: 'arbiter_tick_duration_seconds',
      help: 'Time one reconcile tick takes.',
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15],
      registers: [registry],
    }),
    allocationSeconds: new Histogram({
      name: 'arbiter_allocation_duration_seconds',
      help: 'Time to answer an allocation, inside the manager.',
      buckets: ALLOCATION_BUCKETS,
      registers: [registry],
      collect() {
        tally?.flushHistogram();
      },
    }),
    sessionsStarted: new Counter({
      name: 'arbiter_sessions_total',
      help: 'Sessions that began on the fleet, counted from the rise in each server\'s reported sessions between reports.',
      registers: [registry],
    }),
    nameCollisions: new Counter({
      name: 'arbiter_name_collisions_total',
      help: 'Two live servers found with one name; the one launched first keeps it and the other is renamed.',
      registers: [registry],
    }),
    recordAllocation(result, seconds) {
      (tally as AllocationTally).record(result, seconds);
    },
    bindFleet(s) {
      source = s;
    },
  };
  tally = new AllocationTally(metrics.allocations, metrics.allocationSeconds, ALLOCATION_BUCKETS);
  tally.followResets();
  zeroEach(metrics.allocations, 'result', KNOWN_LABELS.allocations);
  zeroEach(metrics.decisions, 'kind', KNOWN_LABELS.decisions);
  zeroEach(metrics.polls, 'result', KNOWN_LABELS.polls);
  zeroEach(metrics.launchFailures, 'reason', KNOWN_LABELS.launchFailures);
  zeroEach(metrics.backendErrors, 'operation', KNOWN_LABELS.backendErrors);
  zeroEach(metrics.ticks, 'result', KNOWN_LABELS.ticks);
  zeroEach(metrics.wakes, 'cause', KNOWN_LABELS.wakes);
  new Gauge({
    name: 'arbiter_sessions_active',
    help: 'Sessions the servers of the fleet report in play now.',
    registers: [registry],
    collect() {
      if (source) this.set(source.sessions());
    },
  });
  new Gauge({
    name: 'arbiter_servers',
    help: 'Gameservers by state.',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      if (!source) return;
      const counts = source.countByState();
      for (const state of STATES) this.set({ state }, counts[state]);
    },
  });
  new Gauge({
    name: 'arbiter_free_capacity',
    help: 'Free capacity as the scaling policy counts it.',
    registers: [registry],
    collect() {
      if (source) this.set(source.freeCapacity());
    },
  });
  new Gauge({
    name: 'arbiter_reservations',
    help: 'Live allocation reservations.',
    registers: [registry],
    collect() {
      if (source) this.set(source.reservations());
    },
  });
  new Gauge({
    name: 'arbiter_scaling_paused',
    help: '1 while an operator has paused scaling.',
    registers: [registry],
    collect() {
      if (source) this.set(source.paused() ? 1 : 0);
    },
  });
  return metrics;
}
