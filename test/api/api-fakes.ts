// Fakes for API tests: a ManagerApi that records its calls, and deps with every security option off.
import { Registry } from 'prom-client';
import type { Express } from 'express';
import { createApp } from '../../src/api/app.js';
import type { ApiDeps, ManagerApi, SecurityOptions } from '../../src/api/deps.js';
import { createSilentLogger } from '../../src/shared/log.js';
import type { AdminResult, Allocation } from '../../src/manager/manager.js';
import type { HistorySnapshot } from '../../src/manager/history.js';
import type { ServerView } from '../../src/manager/snapshot.js';
import type { HealthReport } from '../../src/manager/types.js';

export const ADMIN_TOKEN = 'admin-token-0123456789abcdef';
export const ALLOCATE_TOKEN = 'allocate-token-0123456789abcdef';
export const HEARTBEAT_TOKEN = 'heartbeat-token-0123456789abcdef';

export function makeServerView(overrides: Partial<ServerView> = {}): ServerView {
  return {
    id: 'srv-1',
    name: 'gs-1',
    state: 'active',
    address: '10.0.0.1:3000',
    host: '10.0.0.1',
    ports: { game: 3000, web: 3080, health: 3080 },
    inRotation: true,
    capacity: { available: 8, effective: 7, max: 10 },
    activeSessions: 2,
    reservations: 1,
    readyToClose: false,
    draining: false,
    ageSeconds: 42,
    launchedAt: '2026-11-23T10:00:00.000Z',
    lastPollAt: '2026-11-23T10:00:40.000Z',
    lastHealthyAt: '2026-11-23T10:00:40.000Z',
    reportSource: 'poll',
    failures: 0,
    lastError: null,
    stopReason: null,
    nameNote: null,
    ...overrides,
  };
}

export type ManagerCall = { method: keyof ManagerApi; args: unknown[] };

/** A ManagerApi whose answers a test sets, and which records every call. */
export class FakeManager implements ManagerApi {
  readonly calls: ManagerCall[] = [];
  allocation: Allocation = {
    kind: 'server',
    server: { id: 'srv-1', name: 'gs-1', host: '10.0.0.1', ports: { game: 3000, web: 3080, health: 3081 } },
    reused: false,
  };
  views: ServerView[] = [makeServerView()];
  rotationList: string[] = ['10.0.0.1:3000', '10.0.0.2:3000'];
  statusValue = { ready: true, live: true, paused: false, lastTickAt: '2026-11-23T10:00:00.000Z', servers: 1, free: 7 };
  adminResult: AdminResult | null = null;
  knownForHeartbeat = new Set<string>(['srv-1']);

  allocate(sessionId?: string): Allocation {
    this.calls.push({ method: 'allocate', args: [sessionId] });
    return this.allocation;
  }
  allocateWaiting(sessionId: string | undefined, waitMs: number): Promise<Allocation> {
    this.calls.push({ method: 'allocateWaiting', args: [sessionId, waitMs] });
    return Promise.resolve(this.allocation);
  }
  setDemand(source: string, seats: number, ttlMs: number): ReturnType<ManagerApi['setDemand']> {
    this.calls.push({ method: 'setDemand', args: [source, seats, ttlMs] });
    return { ok: true, signal: { source, seats, expiresAt: Date.parse('2026-11-23T10:00:00.000Z') + ttlMs } };
  }
  demandView(): ReturnType<ManagerApi['demandView']> {
    this.calls.push({ method: 'demandView', args: [] });
    return { signals: [], headroom: { waiting: 0, in_flight: 0 }, waiting: 0 };
  }
  servers(): ServerView[] {
    this.calls.push({ method: 'servers', args: [] });
    return this.views;
  }
  server(id: string): ServerView | undefined {
    this.calls.push({ method: 'server', args: [id] });
    return this.views.find((v) => v.id === id);
  }
  rotation(): string[] {
    this.calls.push({ method: 'rotation', args: [] });
    return this.rotationList;
  }
  status(): ReturnType<ManagerApi['status']> {
    this.calls.push({ method: 'status', args: [] });
    return this.statusValue;
  }
  heartbeat(id: string, report: HealthReport): boolean {
    this.calls.push({ method: 'heartbeat', args: [id, report] });
    return this.knownForHeartbeat.has(id);
  }
  drain(id: string): AdminResult {
    this.calls.push({ method: 'drain', args: [id] });
    return this.admin(id);
  }
  undrain(id: string): AdminResult {
    this.calls.push({ method: 'undrain', args: [id] });
    return this.admin(id);
  }
  stopServer(id: string): AdminResult {
    this.calls.push({ method: 'stopServer', args: [id] });
    return this.admin(id);
  }
  setPaused(paused: boolean): void {
    this.calls.push({ method: 'setPaused', args: [paused] });
  }
  historyValue: HistorySnapshot = { samples: [], events: [], allocations: { windowSeconds: 300, served: 0, backup: 0, refused: 0 } };
  history(): HistorySnapshot {
    this.calls.push({ method: 'history', args: [] });
    return this.historyValue;
  }

  /** Calls of one method, by their arguments. */
  callsOf(method: keyof ManagerApi): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  private admin(id: string): AdminResult {
    if (this.adminResult) return this.adminResult;
    const view = this.views.find((v) => v.id === id);
    return view ? { ok: true, server: view } : { ok: false, code: 'not_found', message: `no server with id ${id}` };
  }
}

export function makeSecurity(overrides: Partial<SecurityOptions> = {}): SecurityOptions {
  return {
    adminToken: undefined,
    allocateToken: undefined,
    heartbeatToken: undefined,
    corsOrigins: ['*'],
    allocateRateLimitPerMinute: 0,
    trustProxy: undefined,
    ...overrides,
  };
}

export interface TestApp {
  app: Express;
  manager: FakeManager;
  deps: ApiDeps;
}

export function makeApp(overrides: { security?: Partial<SecurityOptions>; deps?: Partial<ApiDeps>; manager?: FakeManager } = {}): TestApp {
  const manager = overrides.manager ?? new FakeManager();
  const deps: ApiDeps = {
    manager,
    logger: createSilentLogger(),
    security: makeSecurity(overrides.security),
    registry: new Registry(),
    ...overrides.deps,
  };
  return { app: createApp(deps), manager, deps };
}

/** Asserts the API's one error shape and returns its code. */
export function errorCode(body: unknown): string {
  const b = body as { error?: unknown; code?: unknown };
  if (typeof b?.error !== 'string' || typeof b.code !== 'string') {
    throw new Error(`not an API error body: ${JSON.stringify(body)}`);
  }
  return b.code;
}
