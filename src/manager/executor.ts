// Applies scaling decisions to the backend. Launches are awaited (their servers count as pending
// capacity from then on); standby, activation and stops run in the background with the server
// marked busy, so no second action starts on it before the first has finished.
import type { Logger } from '../shared/log.js';
import type { Backend } from './backend.js';
import type { Clock } from '../shared/clock.js';
import type { Fleet } from './fleet.js';
import { logFleetEvents } from './fleet-log.js';
import { stateOf } from './server-record.js';
import type { ManagerMetrics } from './metrics.js';
import type { Decision } from './policy.js';
import type { HealthProber } from './prober.js';
import { RetagQueue } from './retag-queue.js';
import type { ServerNames } from './server-names.js';

export interface ExecutorDeps {
  backend: Backend;
  fleet: Fleet;
  prober: HealthProber;
  clock: Clock;
  logger: Logger;
  metrics: ManagerMetrics;
  /** Names new servers and frees the names of replaced ones; without it the backend names servers itself. */
  names?: ServerNames;
}

export class Executor {
  private readonly inFlight = new Set<Promise<void>>();

  private readonly retags: RetagQueue | null;

  constructor(private readonly deps: ExecutorDeps) {
    const { backend, fleet, logger, metrics } = deps;
    const rename = backend.rename?.bind(backend);
    this.retags = rename ? new RetagQueue({ write: rename, current: (id) => fleet.get(id)?.name ?? null, logger, metrics }) : null;
  }

  /** Applies decisions in order; resolves once launches are done (background actions go on). */
  async apply(decisions: readonly Decision[]): Promise<void> {
    for (const d of decisions) {
      switch (d.kind) {
        case 'launch':
          if (d.count > 0) await this.launch(d.count, d.reason);
          break;
        case 'standby':
          this.applyStandby(d.serverId, true, d.reason);
          break;
        case 'activate':
          this.applyStandby(d.serverId, false, d.reason);
          break;
        case 'stop':
          this.stop(d.serverId, d.reason);
          break;
      }
    }
  }

  async launch(count: number, reason: string): Promise<void> {
    const { backend, fleet, clock, logger, metrics } = this.deps;
    const names = this.deps.names?.forLaunch(count);
    try {
      const result = await backend.launch(count, names);
      if (names) this.deps.names?.returned(names, result.launched);
      logFleetEvents(logger, fleet.addLaunched(result.launched, clock.now()));
      for (const s of result.launched) logger.info('server launched', { serverId: s.id, name: s.name, reason });
      for (const f of result.failures) {
        metrics.launchFailures.inc({ reason: f.reason });
        logger.warn('launch failed', { reason: f.reason, detail: f.detail });
      }
    } catch (err) {
      if (names) this.deps.names?.returned(names, []);
      metrics.backendErrors.inc({ operation: 'launch' });
      logger.error('launch failed', { count, error: errorMessage(err) });
    }
  }

  /**
   * Standby leaves the allocator at once; the durable tag and the gameserver's drain follow. `held` is an operator's
   * drain, recorded with the standby tag (cleared with it). Refuses (false) without changing anything when the server
   * is gone, stopping or busy.
   */
  applyStandby(id: string, standby: boolean, reason: string, held = false): boolean {
    const { backend, fleet, prober, logger, metrics } = this.deps;
    const record = fleet.get(id);
    if (!record || record.busy || record.lifecycle === 'stopping') return false;
    const hold = standby && held;
    if (record.standby === standby && record.held === hold) return true;
    const wasStandby = record.standby;
    fleet.markStandby(id, standby, hold);
    fleet.setBusy(id, true);
    if (wasStandby !== standby) logger.info(standby ? 'server standby' : 'server active', { serverId: id, name: record.name, reason });
    else logger.info(hold ? 'server held' : 'server hold released', { serverId: id, name: record.name, reason });
    this.track(
      (async () => {
        try {
          await backend.markStandby(id, standby, hold);
        } catch (err) {
          metrics.backendErrors.inc({ operation: 'mark_standby' });
          logger.error('standby mark failed', { serverId: id, standby, error: errorMessage(err) });
        }
        if (record.pollHost !== null && record.ports !== null) {
          const ok = await prober.setDraining(record.pollHost, record.ports.health, standby);
          if (!ok) logger.debug('gameserver did not accept drain change', { serverId: id, draining: standby });
        }
      })().finally(() => fleet.setBusy(id, false)),
    );
    return true;
  }

  /**
   * A standby server whose report says it is not draining: a manager that died between tagging it and calling its
   * /drain/ left it so, and it would never report ready_to_close. Calls /drain/ again.
   */
  redrain(id: string): boolean {
    const { fleet, prober, logger } = this.deps;
    const record = fleet.get(id);
    if (!record || record.busy || !record.standby || record.lifecycle !== 'running' || record.pollHost === null || record.ports === null) return false;
    const { pollHost, ports } = record;
    fleet.setBusy(id, true);
    logger.info('standby server not draining; draining again', { serverId: id, name: record.name });
    this.track(
      (async () => {
        const ok = await prober.setDraining(pollHost, ports.health, true);
        if (!ok) logger.warn('gameserver did not accept drain', { serverId: id });
      })().finally(() => fleet.setBusy(id, false)),
    );
    return true;
  }

  /** The server leaves rotation at once and is stopped in the background. */
  stop(id: string, reason: string): boolean {
    const { backend, fleet, logger, metrics } = this.deps;
    const record = fleet.get(id);
    if (!record || record.busy || record.lifecycle === 'stopping') return false;
    const before = record.lifecycle;
    logger.info('server stopping', { serverId: id, name: record.name, state: stateOf(record), reason });
    // A broken server (unhealthy, or never healthy) is replaced: its replacement takes its name.
    if (before === 'unhealthy' || before === 'pending') this.deps.names?.released(record);
    fleet.markStopping(id, reason);
    fleet.setBusy(id, true);
    this.track(
      (async () => {
        try {
          await backend.stop(id, reason);
        } catch (err) {
          metrics.backendErrors.inc({ operation: 'stop' });
          logger.error('stop failed', { serverId: id, reason, error: errorMessage(err) });
          // Back to where it was, so that the next tick decides again instead of waiting forever.
          fleet.revertStopping(id, before);
        }
      })().finally(() => fleet.setBusy(id, false)),
    );
    return true;
  }

  /** Writes a server's new name to the backend in the background (the ECS name tag), through one paced queue. */
  retag(id: string, name: string): void {
    if (!this.retags) return;
    this.retags.enqueue(id, name);
    this.track(this.retags.idle());
  }

  /** Stops what is left of the background work that can wait (name tags not yet written); for shutdown. */
  close(): Promise<void> {
    return this.retags?.close() ?? Promise.resolve();
  }

  /** Resolves once the background actions in flight have finished, or after `timeoutMs`. */
  async whenIdle(timeoutMs: number): Promise<void> {
    if (this.inFlight.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.inFlight]),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    if (timer) clearTimeout(timer);
  }

  private track(p: Promise<void>): void {
    // The retag queue hands out one promise for a whole drain: tracked once, however many names join it.
    if (this.inFlight.has(p)) return;
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
