// The composition of the manager: builds its parts from what main.ts (or a test) passes in and wires them. Every
// part gets the narrow things it uses; the fleet tells its followers of each change; the loops wake one another
// only through the reconcile loop's `wake`.
import { DEFAULT_NAME_WORDS } from '../proxy/names.js';
import { LogBursts } from '../shared/log-bursts.js';
import { Allocations } from './allocations.js';
import { Allocator } from './allocator.js';
import { StateCounts } from './state-counts.js';
import { Demand } from './demand.js';
import { DemandWatch } from './demand-watch.js';
import { Executor } from './executor.js';
import { Fleet } from './fleet.js';
import { FleetViews } from './fleet-views.js';
import { HealthPoller } from './health-poller.js';
import { History } from './history.js';
import { Manager, type ManagerDeps } from './manager.js';
import { createManagerMetrics } from './metrics.js';
import { OperatorCommands } from './operator-commands.js';
import { Readiness } from './readiness.js';
import { ReconcileLoop, type WakeCause } from './reconcile-loop.js';
import { Reconciler } from './reconciler.js';
import { ReservationBook } from './reservations.js';
import { ServerNames } from './server-names.js';
import { StartOutcomes } from './start-outcomes.js';

export function createManager(deps: ManagerDeps): Manager {
  const { config, backend, prober, clock, logger } = deps;
  const { scaling, health } = config;
  const metrics = deps.metrics ?? createManagerMetrics();
  const fleet = new Fleet({
    failThreshold: health.failThreshold,
    // A launched server may take a while to show in the backend's list (ECS is eventually consistent).
    listingGraceMs: Math.max(60_000, 3 * scaling.sleepMs),
  });
  const book = new ReservationBook(scaling.reservationTtlMs, Math.min(scaling.joinGraceMs ?? 0, scaling.reservationTtlMs));
  const allocator = new Allocator(fleet, book, scaling.strategy);
  const views = new FleetViews(fleet, book, scaling.capacity, clock);
  const history = new History();
  // The loop is built once the reconciler is; every wake goes through it.
  const wake = (cause: WakeCause): void => loop.wake(cause);

  const names = new ServerNames({
    book: deps.names ?? { prefix: 'arbiter', words: DEFAULT_NAME_WORDS },
    fleet,
    logger,
    metrics,
    retag: (id, name) => executor.retag(id, name),
  });
  const executor = new Executor({ names, backend, fleet, prober, clock, logger, metrics });
  const demand = new Demand({
    mode: scaling.mode ?? 'margin',
    now: () => clock.now(),
    tryAllocate: (sessionId, now) => allocator.allocate(sessionId, now),
    registry: metrics.registry,
  });
  // Reservations that were never joined do not count towards the seats expected during a launch.
  book.onOutcome((joined) => demand.estimates.reservationOutcome(joined));
  const starts = new StartOutcomes({ now: () => clock.now(), logger, metrics });
  // Names last, so the lines about new servers carry the name they keep.
  fleet.onEvents((events) => demand.followFleet(events));
  fleet.onEvents((events) => starts.followFleet(events));
  fleet.onEvents((events) => names.onEvents(events));

  const operator = new OperatorCommands({
    fleet,
    executor,
    history,
    clock,
    logger,
    minServers: scaling.minServers,
    maxServers: scaling.maxServers,
    view: (id) => views.server(id),
    wake,
  });
  const counts = new StateCounts(fleet, scaling.capacity);
  const totals = { activeFree: (now: number) => allocator.freeInRotation(now), counts: () => counts.all() };
  // Per-server lines seen in bulk (a rebuild, a round of failed polls): 20 a kind per poll round, the rest counted.
  const bursts = new LogBursts(logger);
  const reconciler = new Reconciler({ config, backend, fleet, book, executor, clock, logger, metrics, operator, totals, demand, launchBackoff: starts, history, bursts });
  const loop = new ReconcileLoop({ reconciler, afterTick: () => demand.waiters.serve(), metrics, logger, sleepMs: scaling.sleepMs });
  const readiness = new Readiness({ clock, logger, sleepMs: scaling.sleepMs, reconciler, fleet, operator, onReady: deps.onReady });
  const watch = new DemandWatch({
    clock,
    wantsMore: () => readiness.isReady() && reconciler.wantsMoreCapacity(),
    wake: () => wake('demand'),
  });
  const poller = new HealthPoller({
    fleet,
    book,
    prober,
    clock,
    logger,
    metrics,
    capacity: scaling.capacity,
    concurrency: health.concurrency,
    intervalMs: health.pollIntervalMs,
    bursts,
    afterRound: ({ unhealthy }) => {
      demand.waiters.serve();
      readiness.pollRoundDone();
      // Replace a dead server in this tick, not the next scheduled one; meet new demand as soon as it shows.
      if (unhealthy) wake('unhealthy');
      else watch.check();
    },
  });
  const allocations = new Allocations({ demand, watch, history, metrics, clock, logger, backup: config.backup, wake });
  metrics.bindFleet({
    countByState: () => counts.all(),
    freeCapacity: () => reconciler.freeCapacity(),
    reservations: () => book.size(),
    paused: () => operator.paused(),
    sessions: () => counts.sessions(),
  });
  return new Manager({
    clock, logger, metrics, fleet, views, counts, history, demand, watch, allocations, operator, readiness, executor, poller, reconciler, loop,
    onRebuilt: deps.onRebuilt,
  });
}
