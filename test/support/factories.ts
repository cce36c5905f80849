// Fixture factories and fakes for manager tests: each call builds a fresh object, overrides win.
import { Writable } from 'node:stream';
import winston from 'winston';
import type { Logger } from '../../src/shared/log.js';
import type { ManagerConfig } from '../../src/manager/manager.js';
import type { Backend, LaunchFailure, LaunchResult } from '../../src/manager/backend.js';
import type { Clock } from '../../src/shared/clock.js';
import type { PolicyConfig, PolicyServer, PolicySnapshot } from '../../src/manager/policy.js';
import type { HealthProber, ProbeResult } from '../../src/manager/prober.js';
import type { BackendServer, HealthReport } from '../../src/manager/types.js';

export function makePolicyServer(overrides: Partial<PolicyServer> = {}): PolicyServer {
  return {
    id: 's1',
    state: 'active',
    effectiveCapacity: 10,
    restorableCapacity: 0,
    sessions: 0,
    reservations: 0,
    readyToClose: false,
    healthy: true,
    launchedAt: 0,
    busy: false,
    ...overrides,
  };
}

export function makeSnapshot(overrides: Partial<PolicySnapshot> = {}): PolicySnapshot {
  return { servers: [], paused: false, ...overrides };
}

/** The seed's margins (4 / 18 / 10) with no minimum, so that each table row states what it needs. */
export function makePolicyConfig(overrides: Partial<PolicyConfig> = {}): PolicyConfig {
  return {
    upscaleMargin: 4,
    downscaleMargin: 18,
    capacity: 10,
    minServers: 0,
    maxServers: 20,
    maxLaunchPerTick: 10,
    startTimeoutMs: 180_000,
    ...overrides,
  };
}

export interface ManagerConfigOverrides {
  scaling?: Partial<ManagerConfig['scaling']>;
  health?: Partial<ManagerConfig['health']>;
  backup?: ManagerConfig['backup'];
}

export function makeManagerConfig(overrides: ManagerConfigOverrides = {}): ManagerConfig {
  return {
    scaling: {
      upscaleMargin: 4,
      downscaleMargin: 18,
      capacity: 10,
      minServers: 0,
      maxServers: 20,
      maxLaunchPerTick: 10,
      sleepMs: 10_000,
      strategy: 'packed',
      reservationTtlMs: 30_000,
      ...overrides.scaling,
    },
    health: {
      pollIntervalMs: 60_000,
      timeoutMs: 1_000,
      failThreshold: 3,
      startTimeoutMs: 180_000,
      concurrency: 8,
      resyncIntervalMs: 60_000,
      ...overrides.health,
    },
    backup: overrides.backup === undefined ? { host: '127.0.0.1', port: 8888 } : overrides.backup,
  };
}

export function makeHealthReport(overrides: Partial<HealthReport> = {}): HealthReport {
  return { availableCapacity: 10, readyToClose: false, ...overrides };
}

export function makeBackendServer(overrides: Partial<BackendServer> = {}): BackendServer {
  const id = overrides.id ?? 'srv-1';
  return {
    id,
    name: `gs-${id}`,
    host: '10.0.0.1',
    ports: { game: 3000, web: 3080, health: 3080 },
    status: 'running',
    standby: false,
    launchedAt: 0,
    ...overrides,
  };
}

export interface FakeBackendOptions {
  clock?: Clock;
  /** Status of freshly launched servers. */
  launchStatus?: BackendServer['status'];
}

/**
 * An in-memory backend. Stopped servers stay listed with status `stopped` (as ECS keeps them
 * visible for an hour). Knobs: `listError` makes list() throw, `launchError` makes launch() throw,
 * `failLaunches` turns the next launched servers into failures.
 */
export class FakeBackend implements Backend {
  readonly kind = 'local' as const;
  readonly servers = new Map<string, BackendServer>();
  readonly launches: number[] = [];
  /** The names each launch was given, when the manager named them. */
  readonly launchNames: string[][] = [];
  readonly renames: Array<{ id: string; name: string }> = [];
  readonly stops: Array<{ id: string; reason: string }> = [];
  readonly standbyMarks: Array<{ id: string; standby: boolean }> = [];
  listCalls = 0;
  listError: Error | null = null;
  launchError: Error | null = null;
  /** Each launched server uses one of these up as a failure instead. */
  failLaunches: LaunchFailure[] = [];
  closed = false;
  private next = 1;

  constructor(private readonly options: FakeBackendOptions = {}) {}

  /** Puts a server in the backend, as if an earlier manager had launched it. */
  add(overrides: Partial<BackendServer> = {}): BackendServer {
    const n = this.next++;
    const server = makeBackendServer({ id: `srv-${n}`, host: hostFor(n), launchedAt: this.now(), ...overrides });
    this.servers.set(server.id, server);
    return server;
  }

  /** Servers that are not stopped. */
  live(): BackendServer[] {
    return [...this.servers.values()].filter((s) => s.status !== 'stopped');
  }

  async list(): Promise<BackendServer[]> {
    this.listCalls += 1;
    if (this.listError) throw this.listError;
    return [...this.servers.values()].map((s) => ({ ...s }));
  }

  async launch(count: number, names?: readonly string[]): Promise<LaunchResult> {
    this.launches.push(count);
    if (names) this.launchNames.push([...names]);
    if (this.launchError) throw this.launchError;
    const result: LaunchResult = { launched: [], failures: [] };
    for (let i = 0; i < count; i++) {
      const failure = this.failLaunches.shift();
      if (failure) {
        result.failures.push(failure);
        continue;
      }
      const name = names?.[i];
      const server = this.add({ status: this.options.launchStatus ?? 'starting', ...(name ? { name } : {}) });
      result.launched.push({ ...server });
    }
    return result;
  }

  async stop(id: string, reason: string): Promise<void> {
    this.stops.push({ id, reason });
    const s = this.servers.get(id);
    if (s) {
      s.status = 'stopped';
      s.stoppedReason = reason;
    }
  }

  async markStandby(id: string, standby: boolean, held = false): Promise<void> {
    this.standbyMarks.push({ id, standby });
    const s = this.servers.get(id);
    if (s) {
      s.standby = standby;
      s.held = standby && held;
    }
  }

  async rename(id: string, name: string): Promise<void> {
    this.renames.push({ id, name });
    const s = this.servers.get(id);
    if (s) s.name = name;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private now(): number {
    return this.options.clock?.now() ?? 0;
  }
}

function hostFor(n: number): string {
  return `10.0.${Math.floor(n / 250)}.${(n % 250) + 1}`;
}

/** What a fake gameserver behind one host holds; tests change it between polls. */
export interface FakeGameserver {
  maxCapacity: number;
  sessions: number;
  draining: boolean;
  /** When set, every poll fails with this error. */
  failure: string | null;
}

export interface FakeProberOptions {
  /** Capacity of gameservers the prober has not been told about. */
  capacity?: number;
  /** Whether hosts nobody configured answer as empty gameservers (true) or fail (false). */
  autoServe?: boolean;
}

/**
 * Health answers from simulated gameservers, keyed by host. A gameserver answers as the demo one
 * does: no room while draining, ready to close when draining and empty.
 */
export class FakeProber implements HealthProber {
  readonly gameservers = new Map<string, FakeGameserver>();
  readonly probes: Array<{ host: string; port: number }> = [];
  readonly drainCalls: Array<{ host: string; port: number; draining: boolean }> = [];
  private readonly capacity: number;
  private readonly autoServe: boolean;

  constructor(options: FakeProberOptions = {}) {
    this.capacity = options.capacity ?? 10;
    this.autoServe = options.autoServe ?? true;
  }

  /** The gameserver at `host`, created empty (and answering) when unknown. */
  server(host: string): FakeGameserver {
    let g = this.gameservers.get(host);
    if (!g) {
      g = { maxCapacity: this.capacity, sessions: 0, draining: false, failure: null };
      this.gameservers.set(host, g);
    }
    return g;
  }

  async probe(host: string, port: number): Promise<ProbeResult> {
    this.probes.push({ host, port });
    const g = this.gameservers.get(host) ?? (this.autoServe ? this.server(host) : null);
    if (!g) return { ok: false, error: 'health poll failed: ECONNREFUSED' };
    if (g.failure !== null) return { ok: false, error: g.failure };
    return {
      ok: true,
      report: {
        availableCapacity: g.draining ? 0 : Math.max(0, g.maxCapacity - g.sessions),
        readyToClose: g.draining && g.sessions === 0,
        maxCapacity: g.maxCapacity,
        activeSessions: g.sessions,
        draining: g.draining,
      },
    };
  }

  async setDraining(host: string, port: number, draining: boolean): Promise<boolean> {
    this.drainCalls.push({ host, port, draining });
    const g = this.gameservers.get(host);
    if (!g || g.failure !== null) return false;
    g.draining = draining;
    return true;
  }

  async close(): Promise<void> {}
}

export interface LogLine {
  level: string;
  message: string;
  [field: string]: unknown;
}

/** A JSON logger whose lines land in `lines` (written asynchronously: wait for them). */
export function createCapturingLogger(level = 'debug'): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const logger = winston.createLogger({ level, format: winston.format.json(), transports: [new winston.transports.Stream({ stream })] });
  return { logger, lines };
}
