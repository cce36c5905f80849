// Sessions handed out since a server's last poll: the allocator's memory between polls.

export interface Reservation {
  serverId: string;
  /** The caller's `?session=` id, when it gave one. */
  sessionId: string | undefined;
  at: number;
  /** A report showed the session it stood for: it no longer takes room from the report. */
  absorbed: boolean;
  /** Given back because the request failed: it says nothing about whether clients join. */
  released?: boolean;
}

/** Told, when a reservation reaches its TTL, whether a report showed its session first (the client joined). */
export type ReservationOutcomeListener = (joined: boolean) => void;

/** Told the server id of every change to its reservations (added, released, absorbed, expired). */
export type ReservationChangeListener = (serverId: string) => void;

export class ReservationBook {
  private readonly byServer = new Map<string, Reservation[]>();
  private readonly bySession = new Map<string, Reservation>();
  /** Every reservation in the order it was made, so expiry is found from the front, not by a walk. */
  private readonly queue: Array<Reservation | undefined> = [];
  private queueHead = 0;
  private readonly listeners: ReservationChangeListener[] = [];
  private readonly outcomeListeners: ReservationOutcomeListener[] = [];

  /**
   * @param ttlMs how long a reservation lives at most.
   * @param joinGraceMs how long a client may take to reach its server after being handed it: a poll
   *   sent sooner than that after the reservation may not show the session yet, so it does not
   *   cancel the reservation (the server looks fuller for a moment, never emptier than it is).
   */
  constructor(
    private readonly ttlMs: number,
    private readonly joinGraceMs = 0,
  ) {
    if (!(ttlMs > 0)) throw new RangeError('ReservationBook: ttlMs must be positive');
    if (!(joinGraceMs >= 0)) throw new RangeError('ReservationBook: joinGraceMs must not be negative');
  }

  onChange(listener: ReservationChangeListener): void {
    this.listeners.push(listener);
  }

  onOutcome(listener: ReservationOutcomeListener): void {
    this.outcomeListeners.push(listener);
  }

  private changed(serverId: string): void {
    for (const l of this.listeners) l(serverId);
  }

  /**
   * Tells the listeners about every reservation that has reached its TTL by `now` since the last
   * call: expiry gives room back without any other event. Amortised O(1) per reservation.
   */
  expire(now: number): void {
    const q = this.queue;
    while (this.queueHead < q.length) {
      const r = q[this.queueHead] as Reservation;
      if (!this.expired(r, now)) break;
      q[this.queueHead] = undefined;
      this.queueHead += 1;
      this.changed(r.serverId);
      // Joined or not, the outcome is told at the TTL: told at once, joins would outrun lapses and the share run high.
      if (!r.released) for (const l of this.outcomeListeners) l(r.absorbed);
    }
    if (this.queueHead > 1024 && this.queueHead * 2 > q.length) {
      q.splice(0, this.queueHead);
      this.queueHead = 0;
    }
  }

  /** Reservations are kept in the order they were made (`now` never goes back), which pendingSince relies on. */
  add(serverId: string, sessionId: string | undefined, now: number): Reservation {
    const reservation: Reservation = { serverId, sessionId, at: now, absorbed: false };
    const list = this.byServer.get(serverId);
    if (list) list.push(reservation);
    else this.byServer.set(serverId, [reservation]);
    if (sessionId !== undefined) this.bySession.set(sessionId, reservation);
    this.queue.push(reservation);
    this.changed(serverId);
    return reservation;
  }

  /** The live reservation for a session id, if any. */
  forSession(sessionId: string, now: number): Reservation | undefined {
    const r = this.bySession.get(sessionId);
    if (!r) return undefined;
    if (this.expired(r, now)) {
      this.bySession.delete(sessionId);
      return undefined;
    }
    return r;
  }

  /**
   * Reservations on a server that its last report cannot be trusted to include: issued after (or
   * less than the join grace before) the poll that produced it was sent, and younger than the TTL.
   */
  pendingSince(serverId: string, reportSentAt: number, now: number): number {
    const list = this.byServer.get(serverId);
    if (!list) return 0;
    const trustedBefore = reportSentAt - this.joinGraceMs;
    // Two binary searches instead of a walk, so that an allocation costs O(log k) however many
    // reservations a server took since its last poll. Both rest on the list's order: by `at`
    // (reservations are added as time goes on), and absorbed ones first (absorb takes the oldest).
    const firstCounted = firstIndex(list, (r) => r.at >= trustedBefore && !this.expired(r, now));
    const firstOpen = firstIndex(list, (r) => !r.absorbed);
    return list.length - Math.max(firstCounted, firstOpen);
  }

  /**
   * A report answered at `answeredAt` shows `joined` more sessions than the one before: the oldest
   * reservations made before it are the sessions it shows, so they stop taking room from it.
   */
  absorb(serverId: string, joined: number, answeredAt: number): void {
    if (joined <= 0) return;
    let left = joined;
    for (const r of this.byServer.get(serverId) ?? []) {
      if (left === 0) break;
      if (r.absorbed || r.at > answeredAt) continue;
      r.absorbed = true;
      left -= 1;
    }
    if (left !== joined) this.changed(serverId);
  }

  /** Live reservations on a server, whatever its last report says. */
  live(serverId: string, now: number): number {
    const list = this.byServer.get(serverId);
    if (!list) return 0;
    let count = 0;
    for (const r of list) if (!this.expired(r, now)) count += 1;
    return count;
  }

  /** Gives a reservation back (the caller's request failed after it was made). */
  release(reservation: Reservation): void {
    reservation.released = true;
    const list = this.byServer.get(reservation.serverId);
    if (list) {
      const i = list.indexOf(reservation);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.byServer.delete(reservation.serverId);
    }
    if (reservation.sessionId !== undefined && this.bySession.get(reservation.sessionId) === reservation) {
      this.bySession.delete(reservation.sessionId);
    }
    this.changed(reservation.serverId);
  }

  /** Forgets every reservation on a server that has left the fleet. */
  dropServer(serverId: string): void {
    for (const r of this.byServer.get(serverId) ?? []) {
      if (r.sessionId !== undefined && this.bySession.get(r.sessionId) === r) this.bySession.delete(r.sessionId);
    }
    this.byServer.delete(serverId);
    this.changed(serverId);
  }

  /** Removes expired reservations; run from the tick so memory stays bounded. */
  prune(now: number): void {
    for (const [serverId, list] of this.byServer) {
      const kept = list.filter((r) => !this.expired(r, now));
      if (kept.length === 0) this.byServer.delete(serverId);
      else if (kept.length !== list.length) this.byServer.set(serverId, kept);
      if (kept.length !== list.length) this.changed(serverId);
    }
    for (const [sessionId, r] of this.bySession) if (this.expired(r, now)) this.bySession.delete(sessionId);
  }

  size(): number {
    let n = 0;
    for (const list of this.byServer.values()) n += list.length;
    return n;
  }

  private expired(r: Reservation, now: number): boolean {
    return now - r.at >= this.ttlMs;
  }
}

/** The first index whose element satisfies `pred`, for a predicate that is false, then true, along the list. */
function firstIndex<T>(list: readonly T[], pred: (item: T) => boolean): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pred(list[mid] as T)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
