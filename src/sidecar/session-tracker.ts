// Watches every session the sidecar created, through Cerveau's /status, until it ends (§5: Cerveau has no session
// limit and a crashed game stays `running` forever, so the sidecar keeps its own deadlines).
import pLimit from 'p-limit';
import { z } from 'zod';
import type { Logger } from '../shared/log.js';
import type { Clock } from '../shared/clock.js';
import { connectedPlayers, judgeSession, type CerveauStatus, type SessionEndReason, type SessionLimits } from './session-judge.js';

const statusSchema = z.object({
  status: z.enum(['empty', 'open', 'running', 'over']),
  clients: z
    .array(z.object({ spectating: z.boolean().optional(), disconnected: z.boolean().optional() }).passthrough())
    .default([]),
});

export interface TrackedSession {
  gameName: string;
  session: string;
  startedAt: number;
  noPlayersSince: number | null;
  lastStatus: CerveauStatus['status'] | null;
  /** Lapsed sessions only: when /status was last asked. */
  lastCheckedAt?: number;
  /** Whether a poll has shown a connected player yet (a room they all left before the start is abandoned). */
  sawPlayers?: boolean;
  /** Set once the match runner released it: it counts again only if players are still in a running game. */
  released?: boolean;
}

export interface SessionTrackerOptions extends SessionLimits {
  cerveauUrl: string;
  pollIntervalMs: number;
  /** How often a lapsed session (past its join deadline) is looked at again. Default 10 s. */
  lapsedCheckMs?: number;
  statusTimeoutMs: number;
  concurrency: number;
  logger: Logger;
  clock: Clock;
}

/** Ends after which Cerveau may still hold the room, so the session is watched for a late start. */
const LAPSING: ReadonlySet<SessionEndReason> = new Set(['join_timeout', 'abandoned', 'released']);

export class SessionTracker {
  private readonly sessions = new Map<string, TrackedSession>();
  /**
   * Sessions that nobody joined in time: no longer counted, but Cerveau keeps their room open, so they are
   * watched until SESSION_DEADLINE and counted again if late players start the game.
   */
  private readonly lapsed = new Map<string, TrackedSession>();
  /** The setup's password per session: whoever knows it created the session and may release it. */
  private readonly passwords = new Map<string, string>();
  private readonly limit: ReturnType<typeof pLimit>;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly aborter = new AbortController();
  private polling: Promise<void> | null = null;

  constructor(private readonly options: SessionTrackerOptions) {
    this.limit = pLimit(options.concurrency);
  }

  get size(): number {
    return this.sessions.size;
  }

  list(): TrackedSession[] {
    return [...this.sessions.values()];
  }

  /** Returns false when the session is already tracked (Cerveau would have refused it anyway). */
  add(gameName: string, session: string, password?: string): boolean {
    const key = sessionKey(gameName, session);
    if (this.sessions.has(key)) return false;
    this.lapsed.delete(key);
    if (password) this.passwords.set(key, password);
    else this.passwords.delete(key);
    const tracked: TrackedSession = { gameName, session, startedAt: this.options.clock.now(), noPlayersSince: null, lastStatus: null };
    this.sessions.set(key, tracked);
    this.options.logger.info('session started', { gameName, gameSession: session, activeSessions: this.sessions.size });
    return true;
  }

  /** The password the session was set up with, if it is still counted and had one. */
  passwordOf(gameName: string, session: string): string | undefined {
    const key = sessionKey(gameName, session);
    return this.sessions.has(key) ? this.passwords.get(key) : undefined;
  }

  has(gameName: string, session: string): boolean {
    return this.sessions.has(sessionKey(gameName, session));
  }

  /**
   * The match runner gave up on the session: it stops counting at once. Cerveau may still hold the room, so it is
   * watched like a lapsed one, and counted again only if a running game still has players in it.
   */
  release(gameName: string, session: string): boolean {
    const key = sessionKey(gameName, session);
    const tracked = this.sessions.get(key);
    if (!tracked) return false;
    const now = this.options.clock.now();
    this.end(tracked, 'released', now);
    this.lapsed.set(key, { ...tracked, released: true, lastCheckedAt: now });
    return true;
  }

  start(): void {
    if (this.closed || this.timer) return;
    this.schedule();
  }

  /** Sessions that stopped counting at their join timeout and are still watched. */
  lapsedSessions(): TrackedSession[] {
    return [...this.lapsed.values()];
  }

  /** One pass over every live session, and the lapsed ones due a look; exposed so that tests can drive it. */
  async pollOnce(): Promise<void> {
    const now = this.options.clock.now();
    const live = [...this.sessions.values()];
    const due = [...this.lapsed.values()].filter((s) => now - (s.lastCheckedAt ?? 0) >= (this.options.lapsedCheckMs ?? 10_000));
    await Promise.all([...live.map((s) => this.limit(() => this.check(s))), ...due.map((s) => this.limit(() => this.recheck(s)))]);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.aborter.abort();
    try {
      await this.polling;
    } catch {
      // a poll in flight when closing has nothing left to report
    }
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      this.polling = this.pollOnce()
        .catch((err: unknown) => {
          this.options.logger.error('session poll pass failed', { error: (err as Error).message });
        })
        .finally(() => {
          this.polling = null;
          if (!this.closed) this.schedule();
        });
    }, this.options.pollIntervalMs);
  }

  private async check(tracked: TrackedSession): Promise<void> {
    const status = await this.fetchStatus(tracked);
    if (this.closed) return;
    const now = this.options.clock.now();
    if (status) tracked.lastStatus = status.status;
    if (status && connectedPlayers(status) > 0) tracked.sawPlayers = true;
    const judgement = judgeSession(tracked, status, now, this.options);
    if (this.sessions.get(sessionKey(tracked.gameName, tracked.session)) !== tracked) return; // released while the poll ran
    if (!judgement.ended) {
      tracked.noPlayersSince = judgement.noPlayersSince;
      return;
    }
    this.end(tracked, judgement.reason, now);
    if (LAPSING.has(judgement.reason)) this.lapsed.set(sessionKey(tracked.gameName, tracked.session), { ...tracked, lastCheckedAt: now });
  }

  /** A lapsed session: counted again if its game started after all, forgotten once over or past the deadline. */
  private async recheck(tracked: TrackedSession): Promise<void> {
    const key = sessionKey(tracked.gameName, tracked.session);
    const status = await this.fetchStatus(tracked);
    if (this.closed || this.lapsed.get(key) !== tracked) return;
    const now = this.options.clock.now();
    tracked.lastCheckedAt = now;
    if (status?.status === 'over' || now - tracked.startedAt >= this.options.sessionDeadlineMs) {
      this.lapsed.delete(key);
      this.passwords.delete(key);
      return;
    }
    if (status?.status !== 'running') return;
    // A released game that still runs only until its disconnected players are noticed holds no seat.
    if (tracked.released && connectedPlayers(status) === 0) return;
    this.lapsed.delete(key);
    this.sessions.set(key, { ...tracked, noPlayersSince: null, lastStatus: 'running', released: false });
    this.options.logger.warn('session started late', {
      gameName: tracked.gameName,
      gameSession: tracked.session,
      lateByMs: now - tracked.startedAt,
      activeSessions: this.sessions.size,
    });
  }

  private end(tracked: TrackedSession, reason: SessionEndReason, now: number): void {
    const key = sessionKey(tracked.gameName, tracked.session);
    if (!this.sessions.delete(key)) return;
    // a session that is still watched (lapsed) keeps its password, in case it starts late and is released then
    if (!LAPSING.has(reason)) this.passwords.delete(key);
    this.options.logger.info('session ended', {
      gameName: tracked.gameName,
      gameSession: tracked.session,
      reason,
      lastStatus: tracked.lastStatus,
      durationMs: now - tracked.startedAt,
      activeSessions: this.sessions.size,
    });
  }

  private async fetchStatus(tracked: TrackedSession): Promise<CerveauStatus | undefined> {
    const url = new URL(`/status/${encodeURIComponent(tracked.gameName)}/${encodeURIComponent(tracked.session)}`, this.options.cerveauUrl);
    try {
      const signal = AbortSignal.any([this.aborter.signal, AbortSignal.timeout(this.options.statusTimeoutMs)]);
      const res = await fetch(url, { signal });
      const body: unknown = await res.json();
      if (!res.ok) throw new Error(`status ${res.status}`);
      return statusSchema.parse(body);
    } catch (err) {
      if (!this.closed) {
        this.options.logger.warn('session status poll failed', {
          gameName: tracked.gameName,
          gameSession: tracked.session,
          error: (err as Error).message,
        });
      }
      return undefined;
    }
  }
}

export function sessionKey(gameName: string, session: string): string {
  return `${gameName}\u0000${session}`;
}
