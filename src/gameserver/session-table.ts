// The demo game's sessions: capacity and drain accounting, the lobby, the timed "game", and its result.
// Transport-free: the TCP and HTTP layers call in with plain values and a PlayerLink per client.
import { healthBodyFor } from '../shared/gameserver-health.js';
import type { Logger } from '../shared/log.js';
import type { GamelogStore } from './gamelog-store.js';
import type { SessionStatus, PlayerLink, ClientReport, StatusReport, HealthBody, PlayRequest, SetupResult } from './session-types.js';

export type { SessionStatus, PlayerLink, ClientReport, StatusReport, HealthBody, PlayRequest, SetupResult } from './session-types.js';
export type JoinResult = { ok: true; seat: Seat } | { ok: false; message: string };

interface Player extends Omit<ClientReport, 'spectating'> {
  link: PlayerLink | null;
}

interface Session {
  key: string;
  gameName: string;
  id: string;
  password: string | undefined;
  winnerIndex: number;
  settings: Record<string, unknown>;
  status: SessionStatus;
  players: Player[];
  gamelogFilename: string | null;
  createdAt: number;
  endedAt: number | null;
  timer: NodeJS.Timeout | undefined;
}

/** A client's place in a session, handed back to `leave` when its connection ends. */
export interface Seat {
  readonly session: Session;
  readonly player: Player;
}

export interface SessionTableOptions {
  capacity: number;
  sessionMs: number;
  joinTimeoutMs: number;
  /** How long an over session's status stays readable. */
  overRetentionMs: number;
  /** Accepted game names; null accepts any. */
  games: ReadonlySet<string> | null;
  gamelogs: GamelogStore;
  logger: Logger;
  now?: () => number;
}

const PLAYERS_PER_GAME = 2;

export class SessionTable {
  private readonly sessions = new Map<string, Session>();
  private draining = false;
  private closed = false;
  private nextSessionNumber = 1;
  private readonly now: () => number;

  constructor(private readonly options: SessionTableOptions) {
    this.now = options.now ?? Date.now;
  }

  health(): HealthBody {
    this.prune();
    return healthBodyFor({ capacity: this.options.capacity, activeSessions: this.liveCount(), draining: this.draining });
  }

  setDraining(on: boolean): HealthBody {
    this.draining = on;
    return this.health();
  }

  acceptsGame(gameName: string): boolean {
    return this.options.games === null || this.options.games.has(gameName);
  }

  setup(gameName: string, sessionId: string, password: string | undefined, settings: Record<string, unknown>): SetupResult {
    this.prune();
    if (!this.acceptsGame(gameName)) return { ok: false, status: 400, error: `Game "${gameName}" is not available on this server.` };
    const existing = this.sessions.get(keyOf(gameName, sessionId));
    if (existing && existing.status !== 'over') return { ok: false, status: 400, error: `session ${sessionId} is already taken.` };
    const refusal = this.capacityRefusal();
    if (refusal) return { ok: false, status: 503, error: refusal };
    this.create(gameName, sessionId, password, settings);
    return { ok: true };
  }

  status(gameName: string, sessionId: string): StatusReport {
    this.prune();
    const session = this.sessions.get(keyOf(gameName, sessionId));
    if (!session) {
      return { status: 'empty', gameName, gameSession: sessionId, requiredNumberOfPlayers: 2, clients: [], gamelogFilename: null };
    }
    return {
      status: session.status,
      gameName,
      gameSession: sessionId,
      requiredNumberOfPlayers: 2,
      clients: session.players.map(({ link: _link, ...player }) => ({ ...player, spectating: false })),
      gamelogFilename: session.gamelogFilename,
    };
  }

  join(request: PlayRequest, link: PlayerLink): JoinResult {
    this.prune();
    if (this.closed) return { ok: false, message: 'The gameserver is shutting down.' };
    if (!this.acceptsGame(request.gameName)) return { ok: false, message: `Game "${request.gameName}" is not available on this server.` };
    let session = this.findSession(request);
    if (session) {
      if (session.password !== undefined && session.password !== request.password) {
        return { ok: false, message: `Wrong password for session ${session.id}.` };
      }
      if (session.players.length >= PLAYERS_PER_GAME) return { ok: false, message: `Session ${session.id} is full.` };
    } else {
      const refusal = this.capacityRefusal();
      if (refusal) return { ok: false, message: refusal };
      session = this.create(request.gameName, this.resolveNewId(request.requestedSession), undefined, {});
    }
    const taken = new Set(session.players.map((p) => p.index));
    const wanted = request.playerIndex;
    const index = wanted !== undefined && wanted >= 0 && wanted < PLAYERS_PER_GAME && !taken.has(wanted) ? wanted : taken.has(0) ? 1 : 0;
    const player: Player = { name: request.playerName, index, won: false, lost: false, reason: '', disconnected: false, timedOut: false, link };
    session.players.push(player);
    session.players.sort((a, b) => a.index - b.index);
    link.send('lobbied', { gameName: session.gameName, gameSession: session.id });
    if (session.players.length === PLAYERS_PER_GAME) this.start(session);
    return { ok: true, seat: { session, player } };
  }

  /** A client's connection ended. In the lobby it just leaves; in a game it loses. */
  leave(seat: Seat): void {
    const { session, player } = seat;
    player.link = null;
    if (session.status === 'open') {
      session.players = session.players.filter((p) => p !== player);
    } else if (session.status === 'running') {
      player.disconnected = true;
      this.finish(session, { winnerIndex: player.index === 0 ? 1 : 0, winReason: 'Opponent disconnected', loseReason: 'Disconnected' });
    }
  }

  close(): void {
    this.closed = true;
    for (const session of this.sessions.values()) {
      clearTimeout(session.timer);
      session.timer = undefined;
      for (const player of session.players) {
        player.link?.close();
        player.link = null;
      }
    }
  }

  private liveCount(): number {
    let live = 0;
    for (const session of this.sessions.values()) if (session.status !== 'over') live += 1;
    return live;
  }

  private capacityRefusal(): string | null {
    if (this.draining) return 'The gameserver is draining and accepts no new sessions.';
    if (this.liveCount() >= this.options.capacity) return 'The gameserver is full.';
    return null;
  }

  private findSession(request: PlayRequest): Session | undefined {
    const requested = request.requestedSession;
    if (requested === '*') {
      for (const session of this.sessions.values()) {
        const open = session.status === 'open' && session.players.length < PLAYERS_PER_GAME;
        if (open && session.gameName === request.gameName && session.password === undefined) return session;
      }
      return undefined;
    }
    if (requested === 'new' || requested === '') return undefined;
    const session = this.sessions.get(keyOf(request.gameName, requested));
    // As in Cerveau, a late joiner of a finished session starts it afresh.
    return session && session.status !== 'over' ? session : undefined;
  }

  private resolveNewId(requested: string): string {
    if (requested !== '*' && requested !== 'new' && requested !== '') return requested;
    for (;;) {
      const id = String(this.nextSessionNumber++);
      if (![...this.sessions.values()].some((s) => s.id === id)) return id;
    }
  }

  private create(gameName: string, id: string, password: string | undefined, settings: Record<string, unknown>): Session {
    const key = keyOf(gameName, id);
    const previous = this.sessions.get(key);
    if (previous) clearTimeout(previous.timer);
    const winnerIndex = Number(settings.winnerIndex ?? 0) === 1 ? 1 : 0;
    const session: Session = {
      key, gameName, id, password, winnerIndex, settings, status: 'open', players: [],
      gamelogFilename: null, createdAt: this.now(), endedAt: null, timer: undefined,
    };
    session.timer = setTimeout(() => {
      this.finish(session, { winnerIndex: null, winReason: '', loseReason: 'Not enough players joined in time' });
    }, this.options.joinTimeoutMs);
    // Re-inserting keeps the map ordered by creation, which pruning relies on.
    this.sessions.delete(key);
    this.sessions.set(key, session);
    this.options.logger.info('session created', { gameName, gameSession: id });
    return session;
  }

  private start(session: Session): void {
    clearTimeout(session.timer);
    session.status = 'running';
    for (const player of session.players) player.link?.send('start', { playerIndex: player.index });
    session.timer = setTimeout(() => {
      this.finish(session, { winnerIndex: session.winnerIndex, winReason: 'Won by the demo rule', loseReason: 'Lost by the demo rule' });
    }, this.options.sessionMs);
    this.options.logger.info('session started', { gameName: session.gameName, gameSession: session.id });
  }

  private finish(session: Session, outcome: { winnerIndex: number | null; winReason: string; loseReason: string }): void {
    if (session.status === 'over') return;
    clearTimeout(session.timer);
    session.timer = undefined;
    session.status = 'over';
    session.endedAt = this.now();
    for (const player of session.players) {
      player.won = outcome.winnerIndex === player.index;
      player.lost = outcome.winnerIndex !== null && !player.won;
      player.reason = player.won ? outcome.winReason : outcome.loseReason;
      const link = player.link;
      player.link = null;
      link?.send('over', { won: player.won, lost: player.lost, reason: player.reason });
      link?.close();
    }
    this.options.logger.info('session over', {
      gameName: session.gameName, gameSession: session.id, winnerIndex: outcome.winnerIndex, players: session.players.length,
    });
    void this.writeGamelog(session);
  }

  private async writeGamelog(session: Session): Promise<void> {
    const name = gamelogName(session, this.now());
    const gamelog = {
      gameName: session.gameName,
      gameSession: session.id,
      epoch: session.endedAt,
      settings: session.settings,
      winners: session.players.filter((p) => p.won).map(({ index, name: n, reason }) => ({ index, name: n, reason })),
      losers: session.players.filter((p) => p.lost).map(({ index, name: n, reason }) => ({ index, name: n, reason })),
      deltas: [],
    };
    try {
      await this.options.gamelogs.save(name, gamelog);
      session.gamelogFilename = name;
    } catch (err) {
      this.options.logger.error('gamelog write failed', { gameSession: session.id, error: (err as Error).message });
    }
  }

  private prune(): void {
    const cutoff = this.now() - this.options.overRetentionMs;
    for (const [key, session] of this.sessions) {
      if (session.status === 'over' && session.endedAt !== null && session.endedAt < cutoff) this.sessions.delete(key);
    }
  }
}

function keyOf(gameName: string, sessionId: string): string {
  return `${gameName}\u0000${sessionId}`;
}

function gamelogName(session: Session, now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:TZ]/g, '.').replace(/\.+$/, '');
  const safe = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80);
  return `${stamp}-${safe(session.gameName)}-${safe(session.id)}`;
}
