// Decides, from one /status answer (or none), whether a tracked Cerveau session has ended. Pure: no clock, no I/O.

/**
 * `abandoned`: every player left before the game started (Cerveau then deletes the room, so /status shows it empty
 * again); `released`: the match runner gave up on it (POST /release/).
 */
export type SessionEndReason = 'over' | 'crashed' | 'deadline' | 'join_timeout' | 'abandoned' | 'released';

/** The parts of Cerveau's GET /status/:gameName/:session answer that the sidecar reads (§5). */
export interface CerveauStatus {
  status: 'empty' | 'open' | 'running' | 'over';
  clients: Array<{ spectating?: boolean; disconnected?: boolean }>;
}

export interface SessionTimes {
  /** When /setup succeeded, epoch ms. */
  startedAt: number;
  /** Since when the session has shown `running` with no connected player, or null. */
  noPlayersSince: number | null;
  /** Whether a poll has shown a connected player in the session yet. */
  sawPlayers?: boolean;
}

export interface SessionLimits {
  sessionDeadlineMs: number;
  crashGraceMs: number;
  joinDeadlineMs: number;
}

export type Judgement = { ended: true; reason: SessionEndReason } | { ended: false; noPlayersSince: number | null };

export function connectedPlayers(status: CerveauStatus): number {
  return status.clients.filter((c) => !c.spectating && !c.disconnected).length;
}

/**
 * `status` is undefined when the poll failed: only the session deadline can end the session then, because a
 * Cerveau that does not answer says nothing about its games.
 */
export function judgeSession(times: SessionTimes, status: CerveauStatus | undefined, now: number, limits: SessionLimits): Judgement {
  if (status?.status === 'over') return { ended: true, reason: 'over' };
  if (now - times.startedAt >= limits.sessionDeadlineMs) return { ended: true, reason: 'deadline' };
  if (!status) return { ended: false, noPlayersSince: times.noPlayersSince };
  if (status.status === 'empty' || status.status === 'open') {
    // Players came and all left before the start: nobody is coming back to this room, so its seat is free now.
    const joined = status.clients.filter((c) => !c.spectating);
    if ((joined.length > 0 && connectedPlayers(status) === 0) || (joined.length === 0 && times.sawPlayers === true)) {
      return { ended: true, reason: 'abandoned' };
    }
    if (now - times.startedAt >= limits.joinDeadlineMs) return { ended: true, reason: 'join_timeout' };
    return { ended: false, noPlayersSince: null };
  }
  // running: a crashed game process leaves its session here with no clients forever.
  if (connectedPlayers(status) > 0) return { ended: false, noPlayersSince: null };
  const since = times.noPlayersSince ?? now;
  if (now - since >= limits.crashGraceMs) return { ended: true, reason: 'crashed' };
  return { ended: false, noPlayersSince: since };
}
