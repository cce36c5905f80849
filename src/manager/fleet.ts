// The one owner of fleet state. Every change to a server's record goes through this class, and
// every change of state is returned as an event (the caller logs it) and told to the followers of the
// fleet (names, demand estimates, the start-failure back-off), so no caller has to pass it on.
import type { FleetEvent, Lifecycle, ServerRecord } from './server-record.js';
import { isInRotation, isSettled } from './server-record.js';
import type { ServerPorts } from '../shared/gameserver-ports.js';
import type { BackendServer, HealthReport } from './types.js';

/** The fleet's own, writable form of a record; everyone else sees `ServerRecord`, read-only. */
type WritableRecord = { -readonly [K in keyof ServerRecord]: ServerRecord[K] };

export interface FleetOptions {
  failThreshold: number;
  /** How long a launched server may be missing from the backend's list before it is forgotten. */
  listingGraceMs: number;
}

/** Told the id of every server whose record changed or left, so indexes over the fleet stay current. */
export type FleetChangeListener = (id: string) => void;

/** Told each batch of state changes, after the records changed and before the caller gets them back. */
export type FleetEventListener = (events: readonly FleetEvent[]) => void;

export class Fleet {
  private readonly records = new Map<string, WritableRecord>();
  private readonly listeners: FleetChangeListener[] = [];
  private readonly followers: FleetEventListener[] = [];

  constructor(private readonly options: FleetOptions) {}

  /** Every mutation below ends by telling the listeners which servers it touched. */
  onChange(listener: FleetChangeListener): void {
    this.listeners.push(listener);
  }

  private changed(id: string): void {
    for (const l of this.listeners) l(id);
  }

  /** Followers are told in the order they subscribed. */
  onEvents(listener: FleetEventListener): void {
    this.followers.push(listener);
  }

  private publish(events: FleetEvent[]): FleetEvent[] {
    if (events.length > 0) for (const f of this.followers) f(events);
    return events;
  }

  get(id: string): ServerRecord | undefined {
    return this.records.get(id);
  }

  /** A fresh list of the records (read-only views of the live ones). */
  all(): readonly ServerRecord[] {
    return [...this.records.values()];
  }

  size(): number {
    return this.records.size;
  }

  /** Adds servers a launch just returned, before the backend's list shows them. */
  addLaunched(servers: readonly BackendServer[], now: number): FleetEvent[] {
    const events: FleetEvent[] = [];
    for (const s of servers) {
      if (this.records.has(s.id)) continue;
      const record = this.newRecord(s, now);
      this.records.set(s.id, record);
      this.changed(s.id);
      events.push({ type: 'added', server: record, source: 'launch' });
    }
    return this.publish(events);
  }

  /**
   * Brings the records in line with a backend observation. `complete` means the list covers the
   * whole fleet (a full resync), so a server missing from it is gone; otherwise only the listed
   * servers are updated.
   */
  applyObservation(servers: readonly BackendServer[], now: number, complete: boolean, unchanged: readonly string[] = []): FleetEvent[] {
    const events: FleetEvent[] = [];
    // `unchanged`: listed by the backend, known here, and not described again (nothing changed).
    const seen = new Set<string>(unchanged);
    for (const s of servers) {
      seen.add(s.id);
      const existing = this.records.get(s.id);
      if (s.status === 'stopped') {
        if (existing) {
          this.records.delete(s.id);
          this.changed(s.id);
          events.push({ type: 'removed', server: existing, reason: s.stoppedReason ?? 'stopped' });
        }
        continue;
      }
      if (!existing) {
        const record = this.newRecord(s, now);
        this.records.set(s.id, record);
        this.changed(s.id);
        events.push({ type: 'added', server: record, source: 'discovered' });
        continue;
      }
      const { host, pollHost, ports, lifecycle } = existing;
      if (s.host !== null) existing.host = s.host;
      if (s.pollHost) existing.pollHost = s.pollHost;
      else if (s.host !== null && existing.pollHost === null) existing.pollHost = s.host;
      if (s.ports !== null && !samePorts(s.ports, existing.ports)) existing.ports = s.ports;
      if (s.status === 'stopping' && existing.lifecycle !== 'stopping') {
        existing.lifecycle = 'stopping';
        existing.stopReason ??= 'stopped by the backend';
      }
      // Only a real change is news: a listing of 10,000 unchanged servers must not re-rank every one of them.
      if (host !== existing.host || pollHost !== existing.pollHost || ports !== existing.ports || lifecycle !== existing.lifecycle) this.changed(s.id);
    }
    if (complete) {
      for (const record of this.records.values()) {
        if (seen.has(record.id) || now - record.seenAt < this.options.listingGraceMs) continue;
        this.records.delete(record.id);
        this.changed(record.id);
        events.push({ type: 'removed', server: record, reason: 'no longer listed by the backend' });
      }
    }
    return this.publish(events);
  }

  /** A good health report, from a poll sent at `sentAt` or a heartbeat; the fresher one wins. */
  applyReport(id: string, report: HealthReport, sentAt: number, now: number, source: 'poll' | 'heartbeat'): FleetEvent[] {
    const events = this.report(id, report, sentAt, now, source);
    this.changed(id);
    return this.publish(events);
  }

  private report(id: string, report: HealthReport, sentAt: number, now: number, source: 'poll' | 'heartbeat'): FleetEvent[] {
    const r = this.records.get(id);
    if (!r || r.lifecycle === 'stopping') return [];
    if (source === 'poll') {
      r.lastPollAt = now;
      r.failures = 0;
      r.lastError = null;
    } else if (r.failures > 0 && r.lifecycle !== 'unhealthy' && r.lastPollAt !== null && sentAt > r.lastPollAt) {
      // The fresher of push and pull wins: a heartbeat received after the last failed poll shows the
      // server alive (only the manager's path to it fails), so the strikes are cleared. A failed poll
      // after the heartbeat counts again.
      r.failures = 0;
      r.lastError = null;
    }
    if (sentAt < r.reportSentAt) return [];
    r.report = keepReport(r.report, report);
    r.reportSentAt = sentAt;
    r.reportSource = source;
    r.lastHealthyAt = now;
    if (r.lifecycle === 'pending') {
      r.lifecycle = 'running';
      return [{ type: 'active', server: r }];
    }
    return [];
  }

  /** A failed poll: out of rotation at once, unhealthy after `failThreshold` in a row. */
  applyFailure(id: string, error: string, now: number): FleetEvent[] {
    const events = this.failure(id, error, now);
    this.changed(id);
    return this.publish(events);
  }

  private failure(id: string, error: string, now: number): FleetEvent[] {
    const r = this.records.get(id);
    if (!r || r.lifecycle === 'stopping' || r.lifecycle === 'unhealthy') return [];
    r.lastPollAt = now;
    r.lastError = error;
    // A server that has never answered is still starting; START_TIMEOUT judges it, not strikes.
    if (r.lifecycle === 'pending') return [];
    r.failures += 1;
    if (r.failures >= this.options.failThreshold) {
      r.lifecycle = 'unhealthy';
      return [{ type: 'unhealthy', server: r, reason: `${r.failures} failed polls: ${error}` }];
    }
    return r.failures === 1 ? [{ type: 'out_of_rotation', server: r, reason: error }] : [];
  }

  /** Standby (out of rotation) and the operator's hold, which only goes with standby. */
  markStandby(id: string, standby: boolean, held = false): void {
    const r = this.records.get(id);
    if (r) {
      r.standby = standby;
      r.held = standby && held;
    }
    this.changed(id);
  }

  markStopping(id: string, reason: string): void {
    const r = this.records.get(id);
    if (!r) return;
    r.lifecycle = 'stopping';
    r.stopReason = reason;
    this.changed(id);
  }

  /** A stop that failed: the server is back where it was, so that the next tick decides again. */
  revertStopping(id: string, lifecycle: Lifecycle): void {
    const r = this.records.get(id);
    if (!r || r.lifecycle !== 'stopping') return;
    r.lifecycle = lifecycle;
    this.changed(id);
  }

  setName(id: string, name: string, note: string | null): void {
    const r = this.records.get(id);
    if (!r) return;
    r.name = name;
    r.nameNote = note;
    this.changed(id);
  }

  setBusy(id: string, busy: boolean): void {
    const r = this.records.get(id);
    if (r) r.busy = busy;
  }

  /**
   * Servers whose backend state may have moved without this manager seeing it: not yet running or
   * without an address, stopping, or failing polls (a stopped task stops answering). The others are
   * settled: their polls show them alive, and a steady tick need not ask the backend about them.
   */
  unsettled(): ServerRecord[] {
    const out: ServerRecord[] = [];
    for (const r of this.records.values()) if (!isSettled(r)) out.push(r);
    return out;
  }

  /** Servers the allocator may hand out: active, answering, with an address. */
  inRotation(): ServerRecord[] {
    const out: ServerRecord[] = [];
    for (const r of this.records.values()) if (isInRotation(r)) out.push(r);
    return out;
  }

  private newRecord(s: BackendServer, now: number): WritableRecord {
    return {
      id: s.id,
      name: s.name,
      host: s.host,
      pollHost: s.pollHost ?? s.host,
      ports: s.ports,
      lifecycle: s.status === 'stopping' ? 'stopping' : 'pending',
      standby: s.standby,
      launchedAt: s.launchedAt,
      report: null,
      reportSentAt: Number.NEGATIVE_INFINITY,
      reportSource: null,
      lastPollAt: null,
      lastHealthyAt: null,
      failures: 0,
      lastError: null,
      busy: false,
      held: s.standby && s.held === true,
      stopReason: s.status === 'stopping' ? 'stopped by the backend' : null,
      seenAt: now,
      nameNote: null,
    };
  }
}

const samePorts = (a: ServerPorts, b: ServerPorts | null): boolean => b !== null && a.game === b.game && a.web === b.web && a.health === b.health;

/**
 * Copies a report's fields into the record's own report object (made once, always of the same shape) instead of
 * keeping the poll's object. At 10,000 servers polled every 2 s, keeping each poll's object promoted 5,000 short-lived
 * objects a second into the old generation, where only a major GC frees them; overwritten in place, a poll leaves
 * nothing behind that outlives the next scavenge. Projections (snapshots, views) copy fields, so nothing outside the
 * fleet holds this object.
 */
function keepReport(held: HealthReport | null, report: HealthReport): HealthReport {
  const kept = held ?? { availableCapacity: 0, readyToClose: false, maxCapacity: undefined, activeSessions: undefined, draining: undefined };
  kept.availableCapacity = report.availableCapacity;
  kept.readyToClose = report.readyToClose;
  kept.maxCapacity = report.maxCapacity;
  kept.activeSessions = report.activeSessions;
  kept.draining = report.draining;
  return kept;
}
