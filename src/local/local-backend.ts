// Local mode's Backend: gameservers as child processes on 127.0.0.1. No child outlives the manager:
// close() stops them, a process 'exit' hook kills what is left, the demo ones also exit with their stdin, and
// when the manager dies without running either (SIGKILL), the reaper, if given, stops every group it was told of.
import { existsSync } from 'node:fs';
import type { Logger } from '../shared/log.js';
import type { Backend, LaunchFailure, LaunchResult } from '../manager/backend.js';
import { systemClock, type Clock } from '../shared/clock.js';
import type { BackendServer } from '../manager/types.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cerveauServerScript, demoGameserverScript, fillTemplate, pickFreePorts, templatePorts } from './launch-plan.js';
import { childEnv } from '../shared/child-env.js';
import { reapIfOrphaned, type ReaperLink } from '../shared/child-reaper.js';
import { LocalChild, type ChildSpec } from './local-child.js';

export interface LocalBackendOptions {
  /** Sessions per gameserver (GAMESERVER_CAPACITY). */
  capacity: number;
  /** Length of a demo game (DEMO_SESSION_SECONDS). */
  sessionMs: number;
  /** SIGTERM → SIGKILL delay (LOCAL_STOP_GRACE). */
  stopGraceMs: number;
  /** LOCAL_GAMESERVER_COMMAND: run with /bin/sh -c after filling {host} {gamePort} {webPort} {healthPort} {capacity} {name}. */
  command?: string;
  /**
   * LOCAL_GAMESERVER=cerveau: each server is Cerveau (`command`, run in `dir`) in arena mode behind a sidecar with
   * MAX_SESSIONS = capacity; its logs and gamelogs go to `logsRoot`/<name>/ (default: a folder under the temp dir).
   */
  cerveau?: { dir: string; command: string; logsRoot?: string };
  host?: string;
  logger: Logger;
  clock?: Clock;
  /** How long stopped children stay in list(); default 10 minutes. */
  retainStoppedMs?: number;
  /** Overrides the demo gameserver script (tests). */
  gameserverScript?: string;
  /**
   * LOCAL_GAMESERVER_ENV: variables a gameserver gets besides the allow-list of src/shared/child-env.ts. The
   * manager's tokens and AWS keys reach a child only if named here.
   */
  passEnv?: readonly string[];
  /** Told of each child's process group, to stop them if this process dies abruptly. */
  reaper?: ReaperLink;
}

export class LocalBackendOptionsError extends Error {
  constructor(message: string) {
    super(`invalid local backend options: ${message}`);
    this.name = 'LocalBackendOptionsError';
  }
}

export class UnknownServerError extends Error {
  constructor(readonly serverId: string) {
    super(`no local gameserver with id ${serverId}`);
    this.name = 'UnknownServerError';
  }
}

/** After the grace period, how long close() waits for SIGKILLed children before giving up. */
const CLOSE_SLACK_MS = 2000;

export class LocalBackend implements Backend {
  readonly kind = 'local' as const;
  private readonly children = new Map<string, LocalChild>();
  private readonly host: string;
  private readonly clock: Clock;
  private readonly retainStoppedMs: number;
  private counter = 0;
  private closing: Promise<void> | null = null;
  private exitHookInstalled = false;
  // On process exit only synchronous work runs: SIGKILL every child's group.
  private readonly killAllOnExit = () => {
    for (const child of this.children.values()) child.signal('SIGKILL');
  };

  constructor(private readonly options: LocalBackendOptions) {
    const { capacity, sessionMs, stopGraceMs, command, host, retainStoppedMs } = options;
    if (!Number.isInteger(capacity) || capacity < 1) throw new LocalBackendOptionsError(`capacity must be a whole number of at least 1, got ${String(capacity)}`);
    if (!(Number.isFinite(sessionMs) && sessionMs > 0)) throw new LocalBackendOptionsError(`sessionMs must be a positive number, got ${String(sessionMs)}`);
    if (!(Number.isFinite(stopGraceMs) && stopGraceMs >= 0)) throw new LocalBackendOptionsError(`stopGraceMs must be 0 or more, got ${String(stopGraceMs)}`);
    if (command !== undefined && command.trim().length === 0) throw new LocalBackendOptionsError('command must not be empty');
    if (host !== undefined && !/^[A-Za-z0-9.:\-]+$/.test(host)) throw new LocalBackendOptionsError(`host "${host}" is not a host name or address`);
    if (retainStoppedMs !== undefined && !(retainStoppedMs >= 0)) throw new LocalBackendOptionsError('retainStoppedMs must be 0 or more');
    if (!options.logger) throw new LocalBackendOptionsError('logger is required');
    this.host = host ?? '127.0.0.1';
    this.clock = options.clock ?? systemClock;
    this.retainStoppedMs = retainStoppedMs ?? 10 * 60_000;
  }

  async list(): Promise<BackendServer[]> {
    this.pruneStopped();
    return [...this.children.values()].map((child) => child.snapshot());
  }

  async launch(count: number, names?: readonly string[]): Promise<LaunchResult> {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`launch count must be a whole number, got ${String(count)}`);
    const result: LaunchResult = { launched: [], failures: [] };
    for (let i = 0; i < count; i += 1) {
      if (this.closing) {
        result.failures.push({ reason: 'backend-closed' });
        continue;
      }
      const outcome = await this.launchOne(names?.[i]);
      if ('reason' in outcome) result.failures.push(outcome);
      else result.launched.push(outcome.snapshot());
    }
    return result;
  }

  async stop(id: string, reason: string): Promise<void> {
    const child = this.children.get(id);
    if (!child || child.isStopped) return;
    this.options.logger.info('stopping gameserver', { serverId: id, reason });
    child.stop(reason, this.options.stopGraceMs);
  }

  /** In memory: a hold lasts as long as the manager and its children (they stop with it). */
  async markStandby(id: string, standby: boolean, held = false): Promise<void> {
    const child = this.children.get(id);
    if (!child) throw new UnknownServerError(id);
    child.standby = standby;
    child.held = standby && held;
  }

  /** Kept in this manager's records only: local children stop with the manager, so there is no restart to survive. */
  async rename(id: string, name: string): Promise<void> {
    const child = this.children.get(id);
    if (!child) throw new UnknownServerError(id);
    child.rename(name);
  }

  /** Process ids of children that have not exited (for tests and diagnostics). */
  livePids(): number[] {
    return [...this.children.values()].filter((c) => !c.isStopped && c.pid !== undefined).map((c) => c.pid!);
  }

  close(): Promise<void> {
    this.closing ??= this.closeChildren();
    return this.closing;
  }

  private async closeChildren(): Promise<void> {
    const live = [...this.children.values()].filter((child) => !child.isStopped);
    for (const child of live) {
      try {
        child.stop('backend closing', this.options.stopGraceMs);
      } catch (err) {
        this.options.logger.error('gameserver stop failed', { serverId: child.id, error: (err as Error).message });
      }
    }
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.options.stopGraceMs + CLOSE_SLACK_MS);
    });
    try {
      await Promise.race([Promise.all(live.map((child) => child.exited)), deadline]);
    } finally {
      clearTimeout(timer);
    }
    const stragglers = live.filter((child) => !child.isStopped);
    if (stragglers.length > 0) {
      this.options.logger.warn('gameservers still alive after close', { serverIds: stragglers.map((c) => c.id) });
      this.killAllOnExit();
    }
    if (this.exitHookInstalled) process.off('exit', this.killAllOnExit);
    this.exitHookInstalled = false;
  }

  private async launchOne(given: string | undefined): Promise<LocalChild | LaunchFailure> {
    this.counter += 1;
    const id = `local-${this.counter}`;
    const name = given ?? `gameserver-${this.counter}`;
    let spec: ChildSpec;
    try {
      spec = await this.specFor(id, name);
    } catch (err) {
      this.options.logger.warn('gameserver launch failed', { serverId: id, error: (err as Error).message });
      return { reason: 'launch-error', detail: (err as Error).message };
    }
    const outcome = await LocalChild.spawn(spec);
    if (!outcome.ok) {
      this.options.logger.warn('gameserver launch failed', { serverId: id, error: outcome.detail });
      return { reason: 'spawn-error', detail: outcome.detail };
    }
    if (!this.exitHookInstalled) {
      process.on('exit', this.killAllOnExit);
      this.exitHookInstalled = true;
    }
    this.children.set(id, outcome.child);
    reapIfOrphaned(this.options.reaper, outcome.child.pid, outcome.child.exited);
    this.options.logger.info('gameserver launched', { serverId: id, name, pid: outcome.child.pid });
    if (this.closing) outcome.child.stop('backend closing', this.options.stopGraceMs);
    return outcome.child;
  }

  private async specFor(id: string, name: string): Promise<ChildSpec> {
    const { capacity, sessionMs, command, logger } = this.options;
    const passThrough = this.options.passEnv ?? [];
    const base = { id, name, host: this.host, logger, clock: this.clock };
    if (this.options.cerveau) return this.cerveauSpec(base, name);
    if (command !== undefined) {
      const ports = await templatePorts(command, this.host);
      const line = fillTemplate(command, {
        host: this.host, gamePort: ports.game, webPort: ports.web, healthPort: ports.health, capacity, name, sessionSeconds: sessionMs / 1000,
      });
      return { ...base, file: '/bin/sh', args: ['-c', line], ports, env: childEnv(process.env, { passThrough }) };
    }
    const script = this.options.gameserverScript ?? demoGameserverScript();
    if (!existsSync(script)) throw new Error(`demo gameserver not found at ${script}; run npm run build`);
    const args = [
      script, '--host', this.host, '--game-port', '0', '--web-port', '0', '--capacity', String(capacity),
      '--session-seconds', String(sessionMs / 1000), '--name', name, '--exit-with-stdin',
    ];
    // The demo logs at the manager's level; LOG_LEVEL is no secret.
    return { ...base, file: process.execPath, args, ports: null, env: childEnv(process.env, { passThrough: ['LOG_LEVEL', ...passThrough] }) };
  }

  /** Cerveau's TCP, HTTP and WS ports and the sidecar's, all chosen here: the manager hands out TCP and sidecar. */
  private async cerveauSpec(base: Omit<ChildSpec, 'file' | 'args' | 'ports' | 'env'>, name: string): Promise<ChildSpec> {
    const cerveau = this.options.cerveau!;
    const script = cerveauServerScript();
    if (!existsSync(script)) throw new Error(`Cerveau launcher not found at ${script}; run npm run build`);
    const [tcp, http, ws, sidecar] = await pickFreePorts(this.host, 4);
    if (!tcp || !http || !ws || !sidecar) throw new Error('could not pick free ports');
    const logsDir = join(cerveau.logsRoot ?? join(tmpdir(), `arbiter-cerveau-${process.pid}`), name);
    const args = [
      script, '--cerveau-dir', cerveau.dir, '--command', cerveau.command, '--tcp-port', String(tcp), '--http-port', String(http),
      '--ws-port', String(ws), '--sidecar-port', String(sidecar), '--max-sessions', String(this.options.capacity), '--logs-dir', logsDir, '--name', name,
    ];
    const env = childEnv(process.env, { passThrough: ['LOG_LEVEL', ...(this.options.passEnv ?? [])] });
    return { ...base, file: process.execPath, args, ports: { game: tcp, web: sidecar, health: sidecar }, env };
  }

  private pruneStopped(): void {
    const cutoff = this.clock.now() - this.retainStoppedMs;
    for (const [id, child] of this.children) {
      if (child.isStopped && child.stoppedAt !== null && child.stoppedAt < cutoff) this.children.delete(id);
    }
  }
}
