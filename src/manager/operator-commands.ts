// What an operator asks of the fleet at run time: drain and undrain a server (a durable hold on standby), stop one,
// pause or resume scaling, move the floor of active servers. Each command is checked before it changes anything, is
// told to the dashboard's history, and brings the next reconcile tick forward when the fleet should react to it.
import type { Logger } from '../shared/log.js';
import type { Clock } from '../shared/clock.js';
import type { Executor } from './executor.js';
import type { Fleet } from './fleet.js';
import type { History } from './history.js';
import type { ReconcileControls } from './reconciler.js';
import type { ServerView } from './snapshot.js';

export type AdminResult = { ok: true; server: ServerView } | { ok: false; code: 'not_found' | 'conflict'; message: string };

export interface OperatorCommandsDeps {
  fleet: Fleet;
  executor: Pick<Executor, 'applyStandby' | 'stop'>;
  history: History;
  clock: Clock;
  logger: Logger;
  /** MIN_SERVERS at start. */
  minServers: number;
  /** MAX_SERVERS: the floor is clamped to it. */
  maxServers: number;
  /** The server as the API shows it, after the command. */
  view: (id: string) => ServerView | undefined;
  /** Brings the next reconcile tick forward. */
  wake: (cause: 'operator' | 'schedule') => void;
}

export class OperatorCommands implements ReconcileControls {
  private isPaused = false;
  /** MIN_SERVERS, or what the last scheduled rule set it to. */
  private floor: number;

  constructor(private readonly deps: OperatorCommandsDeps) {
    this.floor = deps.minServers;
  }

  paused(): boolean {
    return this.isPaused;
  }

  minServers(): number {
    return this.floor;
  }

  /** Holds the server on standby (durably: the backend records the hold) until undrained. */
  drain(id: string): AdminResult {
    const result = this.standby(id, true, 'drained by operator');
    this.record('drain', id, result, 'drained by operator');
    return result;
  }

  undrain(id: string): AdminResult {
    const result = this.standby(id, false, 'undrained by operator');
    this.record('undrain', id, result, 'undrained by operator');
    return result;
  }

  stopServer(id: string): AdminResult {
    const result = this.stop(id);
    this.record('stop', id, result, 'stopped by operator');
    return result;
  }

  setPaused(paused: boolean): void {
    if (this.isPaused === paused) return;
    this.isPaused = paused;
    this.record(paused ? 'pause' : 'resume', null, null, paused ? 'scaling paused by operator' : 'scaling resumed by operator');
    this.deps.logger.info(paused ? 'scaling paused' : 'scaling resumed', {});
    if (!paused) this.deps.wake('operator');
  }

  /** Changes the floor of active servers (scheduled scaling); clamped to MAX_SERVERS. */
  setMinServers(requested: number, reason: string): number {
    const applied = Math.min(Math.max(0, requested), this.deps.maxServers);
    if (applied !== this.floor) {
      this.floor = applied;
      this.deps.logger.info('minimum servers changed', { minServers: applied, requested, clamped: applied !== requested, reason });
      this.deps.wake('schedule');
    }
    return applied;
  }

  /** Every check comes before the change: a refused command changes nothing. */
  private standby(id: string, standby: boolean, reason: string): AdminResult {
    const r = this.deps.fleet.get(id);
    if (!r) return notFound(id);
    if (r.lifecycle === 'stopping') return { ok: false, code: 'conflict', message: `server ${id} is stopping` };
    if (r.busy) return { ok: false, code: 'conflict', message: `server ${id} has an action in flight; try again` };
    this.deps.executor.applyStandby(id, standby, reason, standby);
    if (!standby) this.deps.wake('operator');
    return { ok: true, server: this.deps.view(id) as ServerView };
  }

  private stop(id: string): AdminResult {
    const r = this.deps.fleet.get(id);
    if (!r) return notFound(id);
    if (!this.deps.executor.stop(id, 'stopped by operator')) {
      return { ok: false, code: 'conflict', message: `server ${id} is already stopping or has an action in flight` };
    }
    this.deps.wake('operator');
    return { ok: true, server: this.deps.view(id) as ServerView };
  }

  /** The operator's history line; a refused command leaves none. */
  private record(kind: string, id: string | null, result: AdminResult | null, reason: string): void {
    if (result && !result.ok) return;
    this.deps.history.event({ at: this.deps.clock.now(), source: 'action', kind, serverId: id, reason });
  }
}

function notFound(id: string): AdminResult {
  return { ok: false, code: 'not_found', message: `no server with id ${id}` };
}
