// Read-only projections of the fleet: what the policy decides on, and what the API shows.
import { effectiveCapacity } from './allocator.js';
import { gameAddressOf, isInRotation, sessionsOf, stateOf, type ServerRecord } from './server-record.js';
import type { PolicyServer } from './policy.js';
import type { ReservationBook } from './reservations.js';
import type { ServerPorts } from '../shared/gameserver-ports.js';
import type { ServerState } from './types.js';

export function toPolicyServer(r: ServerRecord, book: ReservationBook, capacity: number, now: number): PolicyServer {
  const report = r.report;
  const sessions = sessionsOf(r, capacity);
  // A draining server reports no room; back in rotation it would have its free slots again.
  const restorable = report
    ? report.draining
      ? Math.max(0, (report.maxCapacity ?? capacity) - sessions)
      : report.availableCapacity
    : 0;
  const server: PolicyServer = {
    id: r.id,
    state: stateOf(r),
    effectiveCapacity: isInRotation(r) ? effectiveCapacity(r, book, now) : 0,
    restorableCapacity: restorable,
    sessions,
    reservations: book.live(r.id, now),
    readyToClose: report?.readyToClose ?? false,
    healthy: r.failures === 0 && report !== null,
    // START_TIMEOUT runs from when this manager first saw a pending server: one found after a
    // restart has not been polled yet, and its old launch time must not get it stopped unheard.
    launchedAt: r.lifecycle === 'pending' ? Math.max(r.launchedAt, r.seenAt) : r.launchedAt,
    busy: r.busy,
    held: r.held,
  };
  if (r.lastError !== null) server.problem = r.lastError;
  return server;
}

/** One server as GET /api/servers shows it. */
export interface ServerView {
  id: string;
  name: string;
  state: ServerState;
  address: string | null;
  host: string | null;
  ports: ServerPorts | null;
  inRotation: boolean;
  capacity: { available: number; effective: number; max: number | null };
  activeSessions: number;
  reservations: number;
  readyToClose: boolean;
  draining: boolean;
  ageSeconds: number;
  launchedAt: string;
  lastPollAt: string | null;
  lastHealthyAt: string | null;
  reportSource: 'poll' | 'heartbeat' | null;
  failures: number;
  lastError: string | null;
  stopReason: string | null;
  /** Why the name changed, when it did (a collision with another server, a name not from the list). */
  nameNote: string | null;
}

export function toServerView(r: ServerRecord, book: ReservationBook, capacity: number, now: number): ServerView {
  const report = r.report;
  return {
    id: r.id,
    name: r.name,
    state: stateOf(r),
    address: gameAddressOf(r),
    host: r.host,
    ports: r.ports,
    inRotation: isInRotation(r),
    capacity: {
      available: report?.availableCapacity ?? 0,
      effective: isInRotation(r) ? effectiveCapacity(r, book, now) : 0,
      max: report?.maxCapacity ?? null,
    },
    activeSessions: sessionsOf(r, capacity),
    reservations: book.live(r.id, now),
    readyToClose: report?.readyToClose ?? false,
    draining: report?.draining ?? false,
    ageSeconds: Math.max(0, Math.round((now - r.launchedAt) / 1000)),
    launchedAt: new Date(r.launchedAt).toISOString(),
    lastPollAt: r.lastPollAt === null ? null : new Date(r.lastPollAt).toISOString(),
    lastHealthyAt: r.lastHealthyAt === null ? null : new Date(r.lastHealthyAt).toISOString(),
    reportSource: r.reportSource,
    failures: r.failures,
    lastError: r.lastError,
    stopReason: r.stopReason,
    nameNote: r.nameNote,
  };
}
