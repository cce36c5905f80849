// One gameserver child process of the local backend: spawn, learn its ports, relay its output to the
// logger, stop it politely then by force, and describe it as a BackendServer.
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Logger } from '../shared/log.js';
import { signalGroup, signalGroupOrLeader, spawnGroupLeader } from '../shared/process-group.js';
import type { Clock } from '../shared/clock.js';
import type { ServerPorts } from '../shared/gameserver-ports.js';
import type { BackendServer, BackendStatus } from '../manager/types.js';

export interface ChildSpec {
  id: string;
  name: string;
  host: string;
  file: string;
  args: string[];
  /** Known up front for a command template; null when the child announces them (the demo gameserver). */
  ports: ServerPorts | null;
  /** The child's whole environment (built with childEnv: an allow-list, never the manager's own). */
  env: NodeJS.ProcessEnv;
  logger: Logger;
  clock: Clock;
}

export type SpawnOutcome = { ok: true; child: LocalChild } | { ok: false; detail: string };

/** Output lines longer than this are cut before they reach the log. */
const MAX_LOGGED_LINE = 4000;

export class LocalChild {
  private status: BackendStatus;
  private ports: ServerPorts | null;
  private host: string | null;
  private stopReason: string | null = null;
  private stoppedReason: string | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  standby = false;
  held = false;
  stoppedAt: number | null = null;
  readonly launchedAt: number;
  /** Resolves once the process has exited. */
  readonly exited: Promise<void>;

  private constructor(private readonly spec: ChildSpec, private readonly proc: ChildProcess) {
    this.launchedAt = spec.clock.now();
    this.ports = spec.ports;
    this.host = spec.ports ? spec.host : null;
    this.status = spec.ports ? 'running' : 'starting';
    this.exited = new Promise((resolve) => {
      proc.once('exit', (code, signal) => {
        this.onExit(code, signal);
        resolve();
      });
    });
    this.relay('stdout');
    this.relay('stderr');
  }

  /** Spawns the process; an error before it runs (missing file, bad cwd) is an outcome, not a throw. */
  static spawn(spec: ChildSpec): Promise<SpawnOutcome> {
    return new Promise((resolve) => {
      let proc: ChildProcess;
      try {
        // Its own process group, so that stopping a shell command also stops what the shell started.
        proc = spawnGroupLeader(spec.file, spec.args, { stdio: ['pipe', 'pipe', 'pipe'], env: spec.env });
      } catch (err) {
        resolve({ ok: false, detail: (err as Error).message });
        return;
      }
      proc.once('error', (err) => resolve({ ok: false, detail: err.message }));
      proc.once('spawn', () => {
        // A child's stdin is only a lifeline (the demo exits when it ends); writes to it never happen.
        proc.stdin?.on('error', () => undefined);
        resolve({ ok: true, child: new LocalChild(spec, proc) });
      });
    });
  }

  get id(): string {
    return this.spec.id;
  }

  /** The manager may rename a server (a collision, a name not from its list); the process keeps running as it is. */
  get name(): string {
    return this.renamed ?? this.spec.name;
  }

  rename(name: string): void {
    this.renamed = name;
  }

  private renamed: string | undefined;

  get pid(): number | undefined {
    return this.proc.pid;
  }

  get isStopped(): boolean {
    return this.status === 'stopped';
  }

  snapshot(): BackendServer {
    const server: BackendServer = {
      id: this.spec.id,
      name: this.name,
      host: this.host,
      ports: this.ports ? { ...this.ports } : null,
      status: this.status,
      standby: this.standby,
      held: this.held,
      launchedAt: this.launchedAt,
    };
    if (this.stoppedReason !== undefined) server.stoppedReason = this.stoppedReason;
    return server;
  }

  /** SIGTERM now, SIGKILL after `graceMs`. Repeated calls do not restart the grace period. */
  stop(reason: string, graceMs: number): void {
    if (this.status === 'stopped' || this.stopReason !== null) return;
    this.stopReason = reason;
    this.status = 'stopping';
    this.signal('SIGTERM');
    this.killTimer = setTimeout(() => this.signal('SIGKILL'), graceMs);
  }

  /** Signals the whole process group; used directly for the last-resort kill when the parent exits. */
  signal(signal: NodeJS.Signals): void {
    if (this.status === 'stopped') return;
    signalGroupOrLeader(this.proc, signal);
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    clearTimeout(this.killTimer);
    this.killTimer = undefined;
    const how = signal ? `killed by ${signal}` : `exited with code ${code ?? 'unknown'}`;
    this.stoppedReason = this.stopReason ? `${this.stopReason}; ${how}` : how;
    this.status = 'stopped';
    this.stoppedAt = this.spec.clock.now();
    // Whatever the leader left behind in its group goes with it.
    signalGroup(this.proc.pid, 'SIGKILL');
    const level = this.stopReason ? 'info' : 'warn';
    this.spec.logger.log(level, 'gameserver process exited', { serverId: this.spec.id, pid: this.proc.pid, code, signal, stoppedReason: this.stoppedReason });
  }

  private relay(stream: 'stdout' | 'stderr'): void {
    const source = this.proc[stream];
    if (!source) return;
    const lines = createInterface({ input: source, crlfDelay: Infinity });
    lines.on('line', (line) => {
      if (stream === 'stdout' && this.ports === null && this.tryListening(line)) return;
      // A JSON line becomes a field of its own (`child`), never JSON escaped inside a string; other text is `line`.
      const text = line.slice(0, MAX_LOGGED_LINE);
      const parsed = childFields(text);
      this.spec.logger.log(stream === 'stderr' ? 'warn' : 'info', 'gameserver output', {
        serverId: this.spec.id, name: this.name, stream, ...(parsed ? { child: parsed } : { line: text }),
      });
    });
  }

  /** The demo gameserver's `{"event":"listening",...}` line carries the ports it got from the OS. */
  private tryListening(line: string): boolean {
    if (!line.startsWith('{"event":"listening"')) return false;
    try {
      const parsed = JSON.parse(line) as { host?: unknown; ports?: Partial<Record<keyof ServerPorts, unknown>> };
      const { game, web, health } = parsed.ports ?? {};
      if (typeof game !== 'number' || typeof web !== 'number') return false;
      this.ports = { game, web, health: typeof health === 'number' ? health : web };
      this.host = typeof parsed.host === 'string' ? parsed.host : this.spec.host;
      if (this.status === 'starting') this.status = 'running';
      this.spec.logger.info('gameserver listening', { serverId: this.spec.id, host: this.host, ports: this.ports });
      return true;
    } catch {
      return false;
    }
  }
}

/** A child's JSON object line, as fields; null for anything else (plain text, arrays, a cut-off or broken line). */
export function childFields(line: string): Record<string, unknown> | null {
  if (!line.startsWith('{')) return null;
  try {
    const value: unknown = JSON.parse(line);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
