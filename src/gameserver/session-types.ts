// Values the session table exchanges with the game port and the web API (Cerveau's shapes, §5; health, §3.1).

export type SessionStatus = 'open' | 'running' | 'over';

/** How the table talks back to one connected client. */
export interface PlayerLink {
  send(event: string, data: unknown): void;
  close(): void;
}

export interface ClientReport {
  name: string;
  spectating: false;
  index: number;
  won: boolean;
  lost: boolean;
  reason: string;
  disconnected: boolean;
  timedOut: boolean;
}

/** Cerveau's GET /status body (§5). */
export interface StatusReport {
  status: SessionStatus | 'empty';
  gameName: string;
  gameSession: string;
  requiredNumberOfPlayers: 2;
  clients: ClientReport[];
  gamelogFilename: string | null;
}

/** The §3.1 health body, with the optional extra fields. */
export type { FullHealthBody as HealthBody } from '../shared/gameserver-contract.js';

export interface PlayRequest {
  gameName: string;
  requestedSession: string;
  password?: string;
  playerName: string;
  playerIndex?: number;
}

export type SetupResult = { ok: true } | { ok: false; status: 400 | 503; error: string };
